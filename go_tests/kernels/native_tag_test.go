//go:build !purego

package kernels_test

// puregoBuild reports the purego build tag, which turns every assembly path off.
const puregoBuild = false

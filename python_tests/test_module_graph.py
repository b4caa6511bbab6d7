"""The facade's modules use each other only through public names, and import no circle.

Read from the installed package's sources with ``ast``: every ``import`` inside the package (at
module level or inside a function) is an edge; an attribute access ``module._name`` on another
module of the package, or ``from .module import _name``, is a private reach.
"""

import ast
import os

import jarvis_rust_extensions as jre

PKG_DIR = os.path.dirname(jre.__file__)
MODULES = sorted(f[:-3] for f in os.listdir(PKG_DIR) if f.endswith(".py"))


def _tree(module):
    with open(os.path.join(PKG_DIR, module + ".py"), encoding="utf-8") as f:
        return ast.parse(f.read())


def _imports(module):
    """``(target module, imported names, aliases bound to package modules)`` of ``module``."""
    edges, names, aliases = set(), [], {}
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:  # from .x import a, b
                target = node.module.split(".")[0]
                if target in MODULES:
                    edges.add(target)
                    names += [(target, a.name) for a in node.names]
            else:  # from . import x (a module) or from . import Name (the package)
                for a in node.names:
                    if a.name in MODULES:
                        edges.add(a.name)
                        aliases[a.asname or a.name] = a.name
                    else:
                        edges.add("__init__")
    edges.discard(module)
    return edges, names, aliases


def test_no_module_reaches_into_another_ones_private_names():
    reaches = []
    for module in MODULES:
        _, names, aliases = _imports(module)
        reaches += [f"{module}: from .{t} import {n}" for t, n in names
                    if n.startswith("_") and not n.startswith("__") and t != "_native"]
        for node in ast.walk(_tree(module)):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")
                    and aliases[node.value.id] != "_native"):
                reaches.append(f"{module}: {node.value.id}.{node.attr}")
    assert reaches == []


def test_no_import_circles():
    graph = {m: _imports(m)[0] for m in MODULES}
    circles = []

    def visit(m, path):
        for n in sorted(graph.get(m, ())):
            if n in path:
                circles.append(path[path.index(n):] + [n])
            elif n not in done:
                visit(n, path + [n])
        done.add(m)

    done = set()
    for m in MODULES:
        if m not in done:
            visit(m, [m])
    assert circles == []


def test_the_graph_sees_imports_inside_functions():
    """The checks above would miss what they are meant to catch if the parser did not see these."""
    edges, names, aliases = _imports("loader")
    assert {"files", "_jobs", "_schemes", "_convert"} <= edges
    assert aliases.get("files") == "files"
    assert ("_convert", "path_from_wire") in names

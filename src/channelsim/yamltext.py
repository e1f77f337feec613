"""Reading the YAML a user writes (scenario and claim files), the same way for both.

PyYAML's safe loader, with two changes: a key given twice in one mapping is an error (YAML
1.2 forbids it; PyYAML keeps the last silently), and a day that does not exist
(``2025-13-01``) is an error at its line saying why. A file is parsed by libyaml when PyYAML
has it (about ten times faster: a 3.9 MB claim file of 20,000 claims took 77 s to parse in
pure Python on a loaded machine) and, only when that fails, again by the pure-Python parser,
whose messages the errors quote.
"""

from __future__ import annotations

from typing import Any

import yaml

from channelsim.errors import yaml_day

__all__ = ["load_yaml", "yaml_problem"]


def _construct_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader, with the checks above (its errors are quoted)."""

    construct_mapping = _construct_mapping


_LOADERS: list[type[Any]] = [_Loader]
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):
        """libyaml's parser with the same constructors as :class:`_Loader`."""

        construct_mapping = _construct_mapping

    _LOADERS.insert(0, _FastLoader)

for _loader in _LOADERS:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", yaml_day)


def load_yaml(text: str) -> Any:
    """The data of YAML ``text``.

    Raises:
        yaml.YAMLError: from the pure-Python parser (whose messages :func:`yaml_problem`
            turns into words) if the text is not valid YAML, has a key twice in one mapping
            or a day that does not exist.
    """
    if len(_LOADERS) > 1:
        try:
            return yaml.load(text, Loader=_LOADERS[0])
        except yaml.YAMLError:
            pass  # parse again below, for the pure-Python parser's message
    return yaml.load(text, Loader=_Loader)


def yaml_problem(error: yaml.YAMLError, text: str) -> tuple[int | None, int | None, str]:
    """Where a :func:`load_yaml` error is (line and column, from 1; None if unknown) and
    what is wrong, in words. A control character (PyYAML's reader error) is located from its
    position in ``text``."""
    if isinstance(error, yaml.reader.ReaderError):
        before = text[: error.position]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        return line, column, f"found the control character {chr(error.character)!r}"
    mark = getattr(error, "problem_mark", None)
    problem = str(getattr(error, "problem", None) or error)
    if "'\\t'" in problem:  # PyYAML names the character by its repr
        problem = "found a tab, which YAML does not allow here: indent with spaces"
    if mark is None:
        return None, None, problem
    return mark.line + 1, mark.column + 1, problem

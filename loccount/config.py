"""Read and validate ``repos.yaml`` into typed records.

YAML is read with ``safe_load`` only, after a check that anchors and aliases cannot expand
into a huge document. Every problem becomes one :class:`ConfigError` line that names the
file, the field path (``projects[3].url``) and what is wrong.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    Strict,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from loccount.classify import ContentRule, LanguageConventions, TestRule
from loccount.counting.count import DEFAULT_MAX_BLOB_BYTES
from loccount.errors import ConfigError, UnsafeURLError
from loccount.gitio.clonemode import CloneMode
from loccount.gitio.urls import check_url
from loccount.languages.selection import DEFAULT_SELECTION, LanguageSelection
from loccount.releases.series import KNOWN_SERIES, canonical_series
from loccount.releases.tagpattern import compile_tag_pattern
from loccount.validation import TextSafeLoader, iso_day, refuse_number, validation_message

DEFAULT_RELEASES_URL = "https://opendev.org/openstack/releases"
DEFAULT_URL_TEMPLATE = "https://opendev.org/openstack/{name}"
MAX_CONFIG_BYTES = 1024 * 1024
MAX_YAML_NODES = 100_000
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"

ProjectName = Annotated[str, Field(pattern=NAME_PATTERN)]
#: A YAML list of strings (held as a tuple); strict about the items, so ``[true]`` is refused.
Names = Annotated[tuple[StrictStr, ...], Strict(False)]


class _Strict(BaseModel):
    """Unknown keys are refused, and values are never coerced (``true`` is not 1, ``"5"`` not 5)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _language_name(value: str) -> str:
    from loccount.languages.lexers import resolve  # Pygments' tables: only for a config that names languages

    return resolve(value)


LanguageName = Annotated[str, AfterValidator(_language_name)]


def _gitignore_patterns(value: tuple[str, ...]) -> tuple[str, ...]:
    import pathspec

    for pattern in value:
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, TypeError) as error:
            raise ValueError(f"pattern {pattern!r} is not a gitignore pattern: {error}") from None
    return value


Patterns = Annotated[tuple[StrictStr, ...], Strict(False), AfterValidator(_gitignore_patterns)]


class LanguageOverride(_Strict):
    """One language's test conventions to change: its path patterns, its content rule (or ``none``)."""

    tests: Patterns | None = None
    content: Annotated[ContentRule, Strict(False)] | Literal["none"] | None = None


class RuleOverride(_Strict):
    """Fields of :class:`TestRule` to change; unset fields keep the enclosing rule's values.

    ``languages`` changes the named languages' conventions only: an unset field of a
    language keeps its value, and the other languages keep theirs.
    """

    dirs: Names | None = None
    dir_suffixes: Names | None = None
    files: Names | None = None
    file_prefixes: Names | None = None
    file_suffixes: Names | None = None
    test_globs: Patterns | None = None
    non_test_globs: Patterns | None = None
    languages: dict[LanguageName, LanguageOverride] | None = None
    vendored: Patterns | None = None
    vendored_attributes: bool | None = None

    def apply(self, base: TestRule) -> TestRule:
        fields = self.model_dump(exclude_none=True, exclude={"languages"})
        languages = dict(base.languages)
        for name, override in (self.languages or {}).items():
            known = languages.get(name, LanguageConventions())
            content = known.content if override.content is None else override.content
            languages[name] = LanguageConventions(
                tests=known.tests if override.tests is None else override.tests,
                content=None if content == "none" else ContentRule(content) if content else None,
            )
        return TestRule(**{**base.model_dump(), **fields, "languages": languages})


def _selection_field(value: object) -> LanguageSelection:
    """``languages: all`` or a list of names and words, checked when the config is read."""
    from loccount.languages.lexers import resolve
    from loccount.languages.selection import parse_selection

    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ValueError("languages must be a name, 'all', 'everything' or a list of them")
    return parse_selection(items, resolve)


Languages = Annotated[LanguageSelection, PlainValidator(_selection_field)]


def _series_name(value: str) -> str:
    name = canonical_series(value)
    if name is None:
        raise ValueError(f"unknown series {value!r}; known: {', '.join(s.name for s in KNOWN_SERIES)}")
    return name


SeriesName = Annotated[str, BeforeValidator(refuse_number), AfterValidator(_series_name)]


Day = Annotated[date, BeforeValidator(iso_day)]
#: A branch name as git allows it, never one that could be read as an option.
BranchName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$")]


def _tag_pattern(value: str) -> str:
    try:
        compile_tag_pattern(value)
    except ConfigError as error:
        raise ValueError(str(error).split(": ", 1)[1].replace("invalid", "malformed")) from None
    return value


class Project(_Strict):
    """One repository to count."""

    name: ProjectName
    url: str | None = None
    deliverable: ProjectName | None = None
    test_rule: RuleOverride | None = None
    languages: Languages | None = None
    tags: dict[str, str] | list[str] | None = None
    tags_matching: str | None = None
    every: Literal["month", "quarter", "year"] | None = None
    since: Day | None = None
    until: Day | None = None
    branch: BranchName | None = None

    @field_validator("url", mode="before")
    @classmethod
    def _present(cls, value: object) -> object:
        if value is None or value == "":
            raise ValueError(f"missing url (leave the key out to use {DEFAULT_URL_TEMPLATE})")
        return value

    @field_validator("url")
    @classmethod
    def _safe_url(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                check_url(value)
            except UnsafeURLError as error:
                raise ValueError(str(error)) from None
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _quoted_tags(cls, value: object) -> object:
        """A tag written as a bare number (2014.2, or worse 2014.10) must be quoted to keep its text."""
        pairs = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, tag in pairs:
            if isinstance(tag, int | float) and not isinstance(tag, bool):
                raise ValueError(f"tag {tag!r} (for {key}) is a number in YAML; quote it: '{tag}'")
        if isinstance(value, dict):
            return {str(refuse_number(key)): tag for key, tag in value.items()}
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str] | list[str] | None) -> dict[str, str] | list[str] | None:
        if isinstance(value, dict):
            return {_series_name(series): tag for series, tag in value.items()}
        return value

    @field_validator("tags_matching")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return None if value is None else _tag_pattern(value)

    @property
    def repo_url(self) -> str:
        return self.url or DEFAULT_URL_TEMPLATE.format(name=self.name)

    @property
    def deliverable_name(self) -> str:
        return self.deliverable or self.name

    @property
    def by_series(self) -> bool:
        """Series mode unless the project lists plain tags, a tag pattern or snapshots."""
        return not isinstance(self.tags, list) and self.tags_matching is None and self.every is None

    @model_validator(mode="after")
    def _snapshot_keys(self) -> Project:
        if self.every is None:
            for key in ("since", "until", "branch"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key!r} needs 'every' (month, quarter or year)")
        elif self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since.isoformat()} is after until {self.until.isoformat()}")
        elif isinstance(self.tags, dict):
            raise ValueError("'every' cannot be combined with series tags ({series: tag}); list the tags instead")
        return self


DEFAULT_REPOSITORY_URL = "https://opendev.org/{repo}"
_PLACEHOLDERS = ("{repo}", "{name}")


def _url_template(value: str) -> str:
    """A URL with ``{repo}`` (``openstack/nova``) and/or ``{name}`` (``nova``), and no other braces."""
    rest = value
    for placeholder in _PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if rest == value or "{" in rest or "}" in rest:
        raise ValueError(f"url {value!r} must hold {{repo}} or {{name}} and no other braces")
    try:
        check_url(fill_url(value, "openstack/nova"))
    except UnsafeURLError as error:
        raise ValueError(str(error)) from None
    return value


def fill_url(template: str, repository: str) -> str:
    """The URL of ``repository`` (``openstack/nova``) by a checked template."""
    return template.replace("{repo}", repository).replace("{name}", repository.rsplit("/", 1)[-1])


class Deliverables(_Strict):
    """OpenStack deliverables to count, from the release data, instead of (or beside) a project list.

    ``types`` are deliverable types (``service``, ``library``, ``client-library``, ...) or
    ``all``; ``exclude`` names deliverables or repositories to leave out; ``url`` makes a
    repository's URL from its name.
    """

    types: Annotated[tuple[Annotated[str, Field(pattern=NAME_PATTERN)], ...], Strict(False)] | Literal["all"] = (
        "service",
    )
    exclude: Names = ()
    url: Annotated[str, AfterValidator(_url_template)] = DEFAULT_REPOSITORY_URL

    @field_validator("types", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        if isinstance(value, list) and not value:
            raise ValueError("types is empty; name at least one deliverable type, or 'all'")
        return value

    @property
    def type_names(self) -> tuple[str, ...]:
        return ("all",) if self.types == "all" else self.types


class SeriesRange(_Strict):
    from_: str = Field(default="austin", alias="from")
    to: str = "latest"

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _known(cls, value: object) -> str:
        value = refuse_number(value)
        if not isinstance(value, str):
            raise ValueError(f"expected a series name, got {value!r}")
        return "latest" if value == "latest" else _series_name(value)

    @model_validator(mode="after")
    def _in_order(self) -> SeriesRange:
        order = [s.name for s in KNOWN_SERIES]
        if self.to != "latest" and order.index(self.from_) > order.index(self.to):
            raise ValueError(f"from {self.from_!r} comes after to {self.to!r}, so the range selects no series")
        return self


class Config(_Strict):
    """The whole of ``repos.yaml``."""

    projects: list[Project] = []
    deliverables: Deliverables | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    series: SeriesRange | list[SeriesName] = SeriesRange()
    output: Annotated[Path, Strict(False)] = Path("reports")
    releases_url: str = DEFAULT_RELEASES_URL
    test_rule: RuleOverride | None = None
    languages: Languages = DEFAULT_SELECTION
    max_blob_bytes: int = Field(default=DEFAULT_MAX_BLOB_BYTES, gt=0)
    #: Where the config was read from, for errors found later (against the release data).
    _source: str = PrivateAttr(default="the config")
    #: How new mirrors are cloned: ``full`` (every object) or ``partial`` (blobless; only the
    #: blobs counted are fetched). ``--clone`` wins; an existing mirror keeps its mode.
    clone: Annotated[CloneMode, Strict(False)] | None = None

    @field_validator("projects", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        """``- nova`` is short for ``- name: nova``."""
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("releases_url")
    @classmethod
    def _safe_releases_url(cls, value: str) -> str:
        return Project._safe_url(value) or value

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        if not self.projects and self.deliverables is None:
            raise ValueError("no projects: give a 'projects' list, 'deliverables', or both")
        seen: set[str] = set()
        for project in self.projects:
            if project.name in seen:
                raise ValueError(f"duplicate project name {project.name!r}")
            seen.add(project.name)
        return self

    @property
    def source(self) -> str:
        """The file the config came from (``the config`` for one made in code)."""
        return self._source

    def languages_for(self, project: Project) -> LanguageSelection:
        """The project's languages, else the config's (default: Python)."""
        return project.languages or self.languages

    def rule_for(self, project: Project) -> TestRule:
        rule = TestRule()
        if self.test_rule:
            rule = self.test_rule.apply(rule)
        if project.test_rule:
            rule = project.test_rule.apply(rule)
        return rule


def _check_expansion(text: str, source: str) -> None:
    """Refuse YAML whose aliases would expand into more than MAX_YAML_NODES nodes (alias bombs)."""
    root = yaml.compose(text, Loader=TextSafeLoader)
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = MAX_YAML_NODES + 1  # a cycle counts as too large
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node, source)
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1
        sizes[key] = min(total, MAX_YAML_NODES + 1)
        return sizes[key]

    if root is not None and size(root) > MAX_YAML_NODES:
        raise ConfigError(f"{source}: the document expands to over {MAX_YAML_NODES} nodes (YAML alias bomb?)")


def _check_unique_keys(node: yaml.MappingNode, source: str) -> None:
    """Refuse a key given twice in one mapping: YAML loaders keep the last one without a word."""
    first: dict[str, yaml.Node] = {}
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        if key.value in first:
            raise ConfigError(
                f"{source}: line {key.start_mark.line + 1}: duplicate key {key.value!r} "
                f"(also on line {first[key.value].start_mark.line + 1})"
            )
        first[key.value] = key


def parse_config(text: str, source: str) -> Config:
    """Validate YAML text as a config; ``source`` names it in errors."""
    try:
        _check_expansion(text, source)
        data = yaml.load(text, Loader=TextSafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{source}: not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{source}: the document is nested too deeply") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{source}: the document is {kind}; it must be a mapping with a 'projects' list")
    try:
        config = Config.model_validate(data)
        config._source = source
        return config
    except ValidationError as error:
        raise ConfigError(f"{source}: {validation_message(error, data)}") from None
    except RecursionError:
        raise ConfigError(f"{source}: the document is nested too deeply") from None


def load_config(path: str | Path) -> Config:
    """Read and validate a config file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES} bytes; is this really a config file?")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    return parse_config(text, str(path))


def load_rule(path: str | Path) -> TestRule:
    """A test rule from a YAML file of :class:`TestRule` fields (unset fields keep the default)."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=TextSafeLoader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read a test rule: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a test rule must be a mapping of TestRule fields")
    try:
        return RuleOverride.model_validate(data).apply(TestRule())
    except ValidationError as error:
        raise ConfigError(f"{path}: {validation_message(error, data)}") from None


def output_dir(config: Config, config_path: str | Path) -> Path:
    """The config's output directory; a relative one is taken from the config file's directory."""
    output = config.output.expanduser()
    return output if output.is_absolute() else Path(config_path).resolve().parent / output

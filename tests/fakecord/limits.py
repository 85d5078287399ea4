"""Discord's server-side validation rules, as the fake enforces them.

Every validator appends ``FormError`` items; ``error_body`` turns them into the exact
``400 {"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` shape Discord returns,
which discord.py flattens into ``HTTPException.text`` ("In content: Must be 2000 or fewer in length.").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# ---- numbers (https://discord.com/developers/docs/resources/message, .../interactions) ----
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
FILES_MAX = 10
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
SELECT_VALUES_MAX = 25
V2_COMPONENTS_MAX = 40
V2_TEXT_MAX = 4000
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
ALLOWED_MENTIONS_IDS_MAX = 100
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
COMMAND_TOTAL_CHARS_MAX = 4000
CHAT_INPUT_COMMANDS_MAX = 100
CONTEXT_MENU_COMMANDS_MAX = 15
OPTION_LENGTH_MAX = 6000
MODAL_TITLE_MAX = 45
MODAL_ROWS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
TEXT_INPUT_PLACEHOLDER_MAX = 100

FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_COMPONENTS_V2 = 1 << 15

SELECT_TYPES = {3, 5, 6, 7, 8}
V2_TOP_LEVEL = {1, 9, 10, 12, 13, 14, 17}

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FormError:
    """One validation failure at a JSON path."""

    path: Path
    code: str
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<root>"
        return f"{where}: {self.message} ({self.code})"


class Errors(list[FormError]):
    """A list of FormError with a convenience adder."""

    def add(self, path: Path, code: str, message: str) -> None:
        self.append(FormError(tuple(path), code, message))

    def too_long(self, path: Path, limit: int) -> None:
        """Discord's error for a string or list longer than ``limit``."""
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def max_len(self, path: Path, value: object, limit: int, *, minimum: int = 0) -> None:
        """Check a string's length (Discord counts characters)."""
        if value is None:
            if minimum:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        if not isinstance(value, str):
            self.add(path, "BASE_TYPE_STRING", "Must be a string.")
            return
        if len(value) > limit:
            self.too_long(path, limit)
        elif len(value) < minimum:
            if minimum == 1:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            else:
                self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {minimum} and {limit} in length.")


def error_body(errors: Sequence[FormError]) -> dict[str, Any]:
    """Build Discord's nested 50035 error body."""
    nested: dict[str, Any] = {}
    for err in errors:
        node = nested
        for key in err.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": err.code, "message": err.message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": nested}


# ------------------------------------------------------------------------------------------
# Messages
# ------------------------------------------------------------------------------------------


def validate_message(
    payload: Mapping[str, Any],
    errors: Errors,
    *,
    prefix: Path = (),
    files: int = 0,
    edit: bool = False,
    interaction: bool = False,
) -> None:
    """Validate a message create/edit payload (content, embeds, components, mentions, flags)."""
    content = payload.get("content")
    if content is not None:
        if not isinstance(content, str):
            errors.add((*prefix, "content"), "BASE_TYPE_STRING", "Must be a string.")
        elif len(content) > CONTENT_MAX:
            errors.too_long((*prefix, "content"), CONTENT_MAX)
    embeds = payload.get("embeds")
    if embeds is not None:
        validate_embeds(embeds, errors, prefix=prefix)
    flags = int(payload.get("flags") or 0)
    if flags & FLAG_EPHEMERAL and not interaction:
        errors.add(
            (*prefix, "flags"), "MESSAGE_FLAGS_INVALID", "Ephemeral messages are only for interactions."
        )
    components = payload.get("components")
    if components is not None:
        validate_components(
            components, errors, prefix=(*prefix, "components"), v2=bool(flags & FLAG_COMPONENTS_V2)
        )
        if flags & FLAG_COMPONENTS_V2 and (content or embeds):
            errors.add(
                (*prefix, "content") if content else (*prefix, "embeds"),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using the IS_COMPONENTS_V2 flag",
            )
    am = payload.get("allowed_mentions")
    if am is not None:
        validate_allowed_mentions(am, errors, prefix=(*prefix, "allowed_mentions"))
    attachments = payload.get("attachments") or []
    if files > FILES_MAX or len(attachments) > FILES_MAX:
        errors.too_long((*prefix, "attachments"), FILES_MAX)


def validate_embeds(embeds: object, errors: Errors, *, prefix: Path = ()) -> None:
    """Embed count, per-field lengths and the 6000-character total."""
    if not isinstance(embeds, list):
        errors.add((*prefix, "embeds"), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(embeds) > EMBEDS_MAX:
        errors.too_long((*prefix, "embeds"), EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        path: Path = (*prefix, "embeds", i)
        if not isinstance(embed, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        title = embed.get("title")
        errors.max_len((*path, "title"), title, EMBED_TITLE_MAX)
        description = embed.get("description")
        errors.max_len((*path, "description"), description, EMBED_DESCRIPTION_MAX)
        total += len(title or "") + len(description or "")
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            errors.too_long((*path, "fields"), EMBED_FIELDS_MAX)
        for j, field in enumerate(fields):
            fpath: Path = (*path, "fields", j)
            name = field.get("name")
            value = field.get("value")
            errors.max_len((*fpath, "name"), name, EMBED_FIELD_NAME_MAX, minimum=1)
            errors.max_len((*fpath, "value"), value, EMBED_FIELD_VALUE_MAX, minimum=1)
            total += len(name or "") + len(value or "")
        footer = embed.get("footer")
        if footer:
            errors.max_len((*path, "footer", "text"), footer.get("text"), EMBED_FOOTER_MAX, minimum=1)
            total += len(footer.get("text") or "")
        author = embed.get("author")
        if author:
            errors.max_len((*path, "author", "name"), author.get("name"), EMBED_AUTHOR_MAX, minimum=1)
            total += len(author.get("name") or "")
        for key in ("url",):
            url = embed.get(key)
            if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
                errors.add((*path, key), "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            errors.add((*path, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215 and >= 0.")
    if total > EMBED_TOTAL_MAX:
        errors.add(
            (*prefix, "embeds"),
            "MESSAGE_EMBEDS_LENGTH_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def _walk_components(components: Sequence[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        out.append(comp)
        out.extend(_walk_components(comp.get("components") or []))
        if isinstance(comp.get("accessory"), dict):
            out.append(comp["accessory"])
        if isinstance(comp.get("component"), dict):
            out.extend(_walk_components([comp["component"]]))
    return out


def _validate_button(comp: Mapping[str, Any], errors: Errors, path: Path) -> None:
    style = comp.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        errors.add((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
        return
    if style == 5:
        if not comp.get("url"):
            errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        if comp.get("custom_id"):
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_URL_CONFLICT",
                "A custom id and url cannot both be specified",
            )
    elif style == 6:
        if not comp.get("sku_id"):
            errors.add((*path, "sku_id"), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        errors.max_len((*path, "custom_id"), comp.get("custom_id"), CUSTOM_ID_MAX, minimum=1)
    if style != 6:
        label = comp.get("label")
        if label is not None:
            errors.max_len((*path, "label"), label, BUTTON_LABEL_MAX)
        if not label and not comp.get("emoji"):
            errors.add((*path,), "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A label or emoji is required")


def _validate_select(comp: Mapping[str, Any], errors: Errors, path: Path) -> None:
    errors.max_len((*path, "custom_id"), comp.get("custom_id"), CUSTOM_ID_MAX, minimum=1)
    if comp.get("placeholder") is not None:
        errors.max_len((*path, "placeholder"), comp.get("placeholder"), SELECT_PLACEHOLDER_MAX)
    min_values = comp.get("min_values", 1)
    max_values = comp.get("max_values", 1)
    if not (isinstance(min_values, int) and 0 <= min_values <= SELECT_VALUES_MAX):
        errors.add(
            (*path, "min_values"), "NUMBER_TYPE_MAX", f"int value should be <= {SELECT_VALUES_MAX} and >= 0."
        )
    if not (isinstance(max_values, int) and 1 <= max_values <= SELECT_VALUES_MAX):
        errors.add(
            (*path, "max_values"), "NUMBER_TYPE_MAX", f"int value should be <= {SELECT_VALUES_MAX} and >= 1."
        )
    elif isinstance(min_values, int) and min_values > max_values:
        errors.add(
            (*path, "min_values"), "SELECT_COMPONENT_MIN_VALUES_TOO_LARGE", "min_values must be <= max_values"
        )
    if comp.get("type") == 3:
        options = comp.get("options") or []
        if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
            errors.add(
                (*path, "options"),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {SELECT_OPTIONS_MAX} in length.",
            )
        values = []
        for k, opt in enumerate(options):
            opath: Path = (*path, "options", k)
            errors.max_len((*opath, "label"), opt.get("label"), SELECT_OPTION_TEXT_MAX, minimum=1)
            errors.max_len((*opath, "value"), opt.get("value"), SELECT_OPTION_TEXT_MAX, minimum=1)
            if opt.get("description") is not None:
                errors.max_len((*opath, "description"), opt.get("description"), SELECT_OPTION_TEXT_MAX)
            values.append(opt.get("value"))
        if len(set(values)) != len(values):
            errors.add(
                (*path, "options"),
                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                "Select options must have unique values",
            )
        if isinstance(max_values, int) and options and max_values > len(options):
            errors.add(
                (*path, "max_values"),
                "SELECT_COMPONENT_MAX_VALUES_TOO_LARGE",
                "max_values exceeds the number of options",
            )


def validate_components(components: object, errors: Errors, *, prefix: Path, v2: bool = False) -> None:
    """Action rows, buttons, selects; Components V2 counts (40) and text length (4000)."""
    if not isinstance(components, list):
        errors.add(prefix, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if not v2 and len(components) > ACTION_ROWS_MAX:
        errors.too_long(prefix, ACTION_ROWS_MAX)
    for i, comp in enumerate(components):
        path: Path = (*prefix, i)
        if not isinstance(comp, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        ctype = comp.get("type")
        if not v2 and ctype != 1:
            errors.add(
                (*path, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Top-level components must be action rows"
            )
            continue
        if v2 and ctype not in V2_TOP_LEVEL:
            errors.add(
                (*path, "type"),
                "COMPONENT_TYPE_INVALID",
                f"Component type {ctype} is not allowed at the top level",
            )
        _validate_nested(comp, errors, path)
    all_components = _walk_components(components)
    if v2:
        if len(all_components) > V2_COMPONENTS_MAX:
            errors.add(
                prefix, "BASE_TYPE_MAX_LENGTH", f"Must be {V2_COMPONENTS_MAX} or fewer components in total."
            )
        text = sum(len(c.get("content") or "") for c in all_components if c.get("type") == 10)
        if text > V2_TEXT_MAX:
            errors.add(
                prefix,
                "COMPONENT_TEXT_LENGTH_EXCEEDED",
                f"Text displays must be {V2_TEXT_MAX} or fewer characters in total.",
            )
    seen: set[str] = set()
    for comp in all_components:
        cid = comp.get("custom_id")
        if isinstance(cid, str):
            if cid in seen:
                errors.add(
                    prefix,
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    f"Component custom id cannot be duplicated ({cid!r})",
                )
            seen.add(cid)


def _validate_nested(comp: Mapping[str, Any], errors: Errors, path: Path) -> None:
    ctype = comp.get("type")
    if ctype == 1:
        children = comp.get("components") or []
        if not children:
            errors.add((*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        selects = [c for c in children if isinstance(c, dict) and c.get("type") in SELECT_TYPES]
        if selects and len(children) > 1:
            errors.add(
                (*path, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        elif len(children) > ROW_BUTTONS_MAX:
            errors.too_long((*path, "components"), ROW_BUTTONS_MAX)
        for j, child in enumerate(children):
            cpath: Path = (*path, "components", j)
            if not isinstance(child, dict):
                continue
            if child.get("type") == 1:
                errors.add((*cpath, "type"), "COMPONENT_TYPE_INVALID", "Action rows cannot be nested")
            else:
                _validate_nested(child, errors, cpath)
    elif ctype == 2:
        _validate_button(comp, errors, path)
    elif ctype in SELECT_TYPES:
        _validate_select(comp, errors, path)
    elif ctype == 4:
        errors.add((*path, "type"), "COMPONENT_TYPE_INVALID", "Text inputs are only valid in modals")
    else:
        for j, child in enumerate(comp.get("components") or []):
            if isinstance(child, dict):
                _validate_nested(child, errors, (*path, "components", j))
        if isinstance(comp.get("accessory"), dict):
            _validate_nested(comp["accessory"], errors, (*path, "accessory"))


def validate_allowed_mentions(am: object, errors: Errors, *, prefix: Path) -> None:
    """Shape rules for allowed_mentions."""
    if not isinstance(am, dict):
        errors.add(prefix, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    for key in am:
        if key not in ("parse", "users", "roles", "replied_user"):
            errors.add((*prefix, key), "UNKNOWN_FIELD", f"Unknown field {key!r}")
    parse = am.get("parse", [])
    if not isinstance(parse, list):
        errors.add((*prefix, "parse"), "BASE_TYPE_ARRAY", "Must be an array.")
        parse = []
    for i, item in enumerate(parse):
        if item not in ("roles", "users", "everyone"):
            errors.add(
                (*prefix, "parse", i),
                "BASE_TYPE_CHOICES",
                "Value must be one of {'roles', 'users', 'everyone'}.",
            )
    for kind in ("users", "roles"):
        ids = am.get(kind)
        if ids is None:
            continue
        if not isinstance(ids, list):
            errors.add((*prefix, kind), "BASE_TYPE_ARRAY", "Must be an array.")
            continue
        if len(ids) > ALLOWED_MENTIONS_IDS_MAX:
            errors.too_long((*prefix, kind), ALLOWED_MENTIONS_IDS_MAX)
        if ids and kind in parse:
            errors.add(
                (*prefix, kind),
                "SET_TYPE_ALREADY_CONTAINS_VALUE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


# ------------------------------------------------------------------------------------------
# Interactions
# ------------------------------------------------------------------------------------------


def validate_choices(choices: object, option_type: int | None, errors: Errors, *, prefix: Path) -> None:
    """Autocomplete result: ≤25 choices, name 1-100, string value ≤100, value type matches the option."""
    if not isinstance(choices, list):
        errors.add(prefix, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        errors.too_long(prefix, AUTOCOMPLETE_CHOICES_MAX)
    for i, choice in enumerate(choices):
        path: Path = (*prefix, i)
        if not isinstance(choice, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        errors.max_len((*path, "name"), choice.get("name"), CHOICE_NAME_MAX, minimum=1)
        value = choice.get("value")
        if option_type == 3 or (option_type is None and isinstance(value, str)):
            errors.max_len((*path, "value"), value, CHOICE_STRING_VALUE_MAX)
        elif option_type == 4:
            if not isinstance(value, int) or isinstance(value, bool):
                errors.add((*path, "value"), "NUMBER_TYPE_COERCE", f"Value {value!r} is not int.")
        elif option_type == 10 and (not isinstance(value, int | float) or isinstance(value, bool)):
            errors.add((*path, "value"), "NUMBER_TYPE_COERCE", f"Value {value!r} is not a valid number.")


def validate_modal(data: object, errors: Errors, *, prefix: Path) -> None:
    """Modal (callback type 9): custom_id, title ≤45, 1-5 rows/labels holding text inputs or selects."""
    if not isinstance(data, dict):
        errors.add(prefix, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    errors.max_len((*prefix, "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX, minimum=1)
    errors.max_len((*prefix, "title"), data.get("title"), MODAL_TITLE_MAX, minimum=1)
    rows = data.get("components") or []
    if not 1 <= len(rows) <= MODAL_ROWS_MAX:
        errors.add(
            (*prefix, "components"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {MODAL_ROWS_MAX} in length.",
        )
    for i, row in enumerate(rows):
        path: Path = (*prefix, "components", i)
        if row.get("type") == 1:
            inner = row.get("components") or []
        elif row.get("type") == 18:
            errors.max_len((*path, "label"), row.get("label"), TEXT_INPUT_LABEL_MAX, minimum=1)
            inner = [row.get("component")] if row.get("component") else []
        else:
            inner = [row]
        for j, comp in enumerate(inner):
            cpath: Path = (*path, "components", j)
            if comp.get("type") == 4:
                errors.max_len((*cpath, "custom_id"), comp.get("custom_id"), CUSTOM_ID_MAX, minimum=1)
                if row.get("type") == 1:
                    errors.max_len((*cpath, "label"), comp.get("label"), TEXT_INPUT_LABEL_MAX, minimum=1)
                if comp.get("value") is not None:
                    errors.max_len((*cpath, "value"), comp.get("value"), TEXT_INPUT_VALUE_MAX)
                if comp.get("placeholder") is not None:
                    errors.max_len(
                        (*cpath, "placeholder"), comp.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX
                    )
                for key in ("min_length", "max_length"):
                    val = comp.get(key)
                    if val is not None and not (0 <= val <= TEXT_INPUT_VALUE_MAX):
                        errors.add(
                            (*cpath, key),
                            "NUMBER_TYPE_MAX",
                            f"int value should be <= {TEXT_INPUT_VALUE_MAX}.",
                        )
            elif comp.get("type") in SELECT_TYPES:
                _validate_select(comp, errors, cpath)


# ------------------------------------------------------------------------------------------
# Application commands
# ------------------------------------------------------------------------------------------

_NAME_EXTRA = set("-_'")


def valid_command_name(name: object, *, chat_input: bool = True) -> str | None:
    """Return an error message, or None.

    Mirrors Discord's ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lower-case for chat input.
    """
    if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
        return f"Must be between 1 and {COMMAND_NAME_MAX} in length."
    if not chat_input:
        return None
    for ch in name:
        cat = unicodedata.category(ch)
        if ch in _NAME_EXTRA or cat[0] in ("L", "N") or cat in ("Mn", "Mc"):
            if ch != ch.lower():
                return "Command name must be lower case."
            continue
        return f"Command name is invalid (character {ch!r})."
    return None


def _option_chars(opt: Mapping[str, Any]) -> int:
    n = len(opt.get("name") or "") + len(opt.get("description") or "")
    for choice in opt.get("choices") or []:
        n += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    for sub in opt.get("options") or []:
        n += _option_chars(sub)
    return n


def _validate_options(options: object, errors: Errors, path: Path, depth: int) -> None:
    if not isinstance(options, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(options) > COMMAND_OPTIONS_MAX:
        errors.too_long(path, COMMAND_OPTIONS_MAX)
    names: set[str] = set()
    seen_optional = False
    has_sub = any(o.get("type") in (1, 2) for o in options if isinstance(o, dict))
    for i, opt in enumerate(options):
        opath: Path = (*path, i)
        if not isinstance(opt, dict):
            errors.add(opath, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        otype = opt.get("type")
        name = opt.get("name")
        msg = valid_command_name(name)
        if msg:
            errors.add((*opath, "name"), "APPLICATION_COMMAND_INVALID_NAME", msg)
        if name in names:
            errors.add(
                (*opath, "name"),
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(str(name))
        errors.max_len((*opath, "description"), opt.get("description"), COMMAND_DESCRIPTION_MAX, minimum=1)
        if otype not in range(1, 12):
            errors.add((*opath, "type"), "BASE_TYPE_CHOICES", "Value must be one of 1..11.")
            continue
        if has_sub and otype not in (1, 2):
            errors.add(
                (*opath, "type"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Subcommands cannot be mixed with options",
            )
        if otype in (1, 2):
            if (otype == 2 and depth >= 1) or (otype == 1 and depth >= 2):
                errors.add(
                    (*opath, "type"),
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Subcommands nested too deeply",
                )
            _validate_options(opt.get("options") or [], errors, (*opath, "options"), depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                errors.add(
                    (*opath, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices")
        if choices:
            if otype not in (3, 4, 10):
                errors.add(
                    (*opath, "choices"),
                    "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                    "Choices are only for strings and numbers",
                )
            if opt.get("autocomplete"):
                errors.add(
                    (*opath, "autocomplete"),
                    "AUTOCOMPLETE_AND_CHOICES_INVALID",
                    "Autocomplete and choices are mutually exclusive",
                )
            if len(choices) > COMMAND_CHOICES_MAX:
                errors.too_long((*opath, "choices"), COMMAND_CHOICES_MAX)
            for k, choice in enumerate(choices):
                cpath: Path = (*opath, "choices", k)
                errors.max_len((*cpath, "name"), choice.get("name"), CHOICE_NAME_MAX, minimum=1)
                if otype == 3:
                    errors.max_len((*cpath, "value"), choice.get("value"), CHOICE_STRING_VALUE_MAX)
        if opt.get("autocomplete") and otype not in (3, 4, 10):
            errors.add(
                (*opath, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                "Autocomplete is only for strings and numbers",
            )
        for key in ("min_length", "max_length"):
            if key in opt and opt[key] is not None:
                if otype != 3:
                    errors.add(
                        (*opath, key), "APPLICATION_COMMAND_OPTION_INVALID", f"{key} is only for strings"
                    )
                elif not 0 <= int(opt[key]) <= OPTION_LENGTH_MAX:
                    errors.add(
                        (*opath, key),
                        "NUMBER_TYPE_MAX",
                        f"int value should be <= {OPTION_LENGTH_MAX} and >= 0.",
                    )
        for key in ("min_value", "max_value"):
            if key in opt and opt[key] is not None and otype not in (4, 10):
                errors.add((*opath, key), "APPLICATION_COMMAND_OPTION_INVALID", f"{key} is only for numbers")


def validate_command(cmd: object, errors: Errors, *, path: Path) -> None:
    """One application command: name, description, options (recursively), ~4000 characters in total."""
    if not isinstance(cmd, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    ctype = cmd.get("type", 1)
    chat_input = ctype == 1
    msg = valid_command_name(cmd.get("name"), chat_input=chat_input)
    if msg:
        errors.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", msg)
    if chat_input:
        errors.max_len((*path, "description"), cmd.get("description"), COMMAND_DESCRIPTION_MAX, minimum=1)
        _validate_options(cmd.get("options") or [], errors, (*path, "options"), 0)
        total = len(cmd.get("name") or "") + len(cmd.get("description") or "")
        total += sum(_option_chars(o) for o in cmd.get("options") or [] if isinstance(o, dict))
        if total > COMMAND_TOTAL_CHARS_MAX:
            errors.add(
                path,
                "APPLICATION_COMMAND_TOO_LARGE",
                f"Command exceeds maximum size ({COMMAND_TOTAL_CHARS_MAX})",
            )
    else:
        if cmd.get("description"):
            errors.add(
                (*path, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have a description",
            )
        if cmd.get("options"):
            errors.add(
                (*path, "options"),
                "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS",
                "Context menu commands cannot have options",
            )


def validate_commands(commands: object, errors: Errors) -> None:
    """A bulk-overwrite body: each command, unique names per type, 100 chat-input, 15 user, 15 message."""
    if not isinstance(commands, list):
        errors.add((), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    counts: dict[int, int] = {}
    names: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        validate_command(cmd, errors, path=(i,))
        if not isinstance(cmd, dict):
            continue
        ctype = int(cmd.get("type", 1))
        counts[ctype] = counts.get(ctype, 0) + 1
        key = (ctype, str(cmd.get("name")))
        if key in names:
            errors.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({key[1]})",
            )
        names.add(key)
    if counts.get(1, 0) > CHAT_INPUT_COMMANDS_MAX:
        errors.add(
            (), "BASE_TYPE_MAX_LENGTH", f"Must be {CHAT_INPUT_COMMANDS_MAX} or fewer chat input commands."
        )
    for ctype in (2, 3):
        if counts.get(ctype, 0) > CONTEXT_MENU_COMMANDS_MAX:
            errors.add(
                (),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {CONTEXT_MENU_COMMANDS_MAX} or fewer context menu commands of type {ctype}.",
            )

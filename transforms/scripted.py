"""Article text a page carries only in its structured data: app shells that draw the text
with JavaScript, how-to and recipe pages. The last place the cleaner looks before it
would refuse a page (a refused page is a lost article)."""

from __future__ import annotations

from typing import Any

from transforms.content import render_blocks
from transforms.jsonld import ARTICLE_TYPES, types_of
from transforms.soup import parse_page
from transforms.text import collapse, count_words

# Node types whose steps are the page's text (schema.org HowTo, Recipe).
STEP_TYPES = frozenset({"howto", "recipe"})
# Keys of a step (HowToStep, HowToSection, HowToDirection) holding its text or sub-steps.
_STEP_TEXT = ("text", "description")
_SUB_STEPS = ("itemListElement", "step", "steps")
# Nested steps deeper than this are a loop or a trap, not a recipe.
MAX_STEP_DEPTH = 6


def script_body(nodes: list[dict[str, Any]]) -> str:
    """The longest article text of the page's JSON-LD nodes (`articleBody` / `text` of an
    article, description and steps of a how-to or recipe), as paragraphs; "" if none."""
    best = ""
    for node in nodes:
        types = types_of(node)
        pieces: list[str] = []
        if types & ARTICLE_TYPES:
            pieces = [v for key in ("articleBody", "text")
                      if isinstance(v := node.get(key), str)][:1]
        elif types & STEP_TYPES:
            if isinstance(node.get("description"), str):
                pieces.append(node["description"])
            ingredients = node.get("recipeIngredient")
            if isinstance(ingredients, list):
                pieces.append("<ul>" + "".join(f"<li>{i}</li>" for i in ingredients
                                               if isinstance(i, str)) + "</ul>")
            for key in ("step", "recipeInstructions"):
                pieces.extend(_step_texts(node.get(key), 0))
        text = "\n\n".join(p for p in (_paragraphs(piece) for piece in pieces) if p)
        if count_words(text) > count_words(best):
            best = text
    return best


def _step_texts(value: Any, depth: int) -> list[str]:
    """Texts of a step list, in order: a step's name, then its text or its sub-steps."""
    if depth > MAX_STEP_DEPTH:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _step_texts(item, depth + 1)]
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    name = value.get("name")
    text = next((value[k] for k in _STEP_TEXT if isinstance(value.get(k), str)), None)
    if isinstance(name, str) and not (text and collapse(text).startswith(collapse(name))):
        found.append(f"<h3>{name}</h3>")
    if text:
        found.append(text)
    for key in _SUB_STEPS:
        found.extend(_step_texts(value.get(key), depth + 1))
    return found


def _paragraphs(value: str) -> str:
    """Paragraphs of a value written as HTML (`<p>...</p>`) or as plain text."""
    if "<" not in value:
        return "\n\n".join(p for p in (collapse(part) for part in value.split("\n\n")) if p)
    fragment = parse_page(f"<html><body><div>{value}</div></body></html>")
    root = fragment.first("div")
    if root is None:
        return ""
    return "\n\n".join(block.text for block in render_blocks(root) if block.text)

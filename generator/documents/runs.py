"""Runs of text that a template's `{{r name }}` tag takes whole: the XML docxtpl's RichText writes, character for
character, for the two properties our letters set (a size and a font), without loading docxtpl to fill a letter."""

from __future__ import annotations

from html import escape


class Runs:
    """`Runs("text", size=24, font="eastAsia:Nikosh")`, then `.add(…)` for more; a `\\a` in a text starts a
    paragraph of the template paragraph's settings when the document is filled (compiled.resolve_listing)."""

    def __init__(self, text: str | None = None, *, size: int | None = None, font: str | None = None):
        self.xml = ""
        if text:
            self.add(text, size=size, font=font)

    def add(self, text: str, *, size: int | None = None, font: str | None = None) -> None:
        prop = ""
        if size:
            prop += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        if font:
            region, name = font.split(":", 1) if ":" in font else ("", font)
            regional = f' w:{region}="{name}"' if region else ""
            prop += f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:cs="{name}"{regional}/>'
        self.xml += "<w:r>" + (f"<w:rPr>{prop}</w:rPr>" if prop else "") + \
            f'<w:t xml:space="preserve">{escape(str(text))}</w:t></w:r>'

    def __str__(self) -> str:
        return self.xml

    def __html__(self) -> str:  # Jinja's autoescape takes it as markup
        return self.xml

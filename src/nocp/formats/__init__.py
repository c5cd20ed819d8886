"""Parsers of the formats tool results come in: HTML (`html`), and the kinds of plain text
(`textkind`: logs, documents, lines)."""

package render

import (
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"strings"
)

// DocText renders a scenario's Doc as plain text wrapped at width. Doc is
// either the text of a doc.go file (a `//` or `/* */` package comment and a
// package clause) or a doc comment's text; either way it is parsed as a Go
// doc comment (go/doc/comment), so headings, lists, code blocks and links
// print as `go doc` would print them. Headings are printed without their
// leading "# ".
func DocText(doc string, width int) string { return docText(doc, width, Style{}) }

// docText is DocText with headings painted bold under a color style.
func docText(doc string, width int, st Style) string {
	text := commentText(doc)
	if strings.TrimSpace(text) == "" {
		return ""
	}
	var p comment.Parser
	d := p.Parse(text)
	pr := comment.Printer{TextWidth: width, TextCodePrefix: "    "}
	for i, blk := range d.Content {
		// Printer.Text writes a heading as "# Title"; the plain title reads
		// better on a terminal.
		if h, ok := blk.(*comment.Heading); ok {
			var title strings.Builder
			for _, t := range h.Text {
				switch t := t.(type) {
				case comment.Plain:
					title.WriteString(string(t))
				case comment.Italic:
					title.WriteString(string(t))
				}
			}
			d.Content[i] = &comment.Paragraph{Text: []comment.Text{comment.Plain(st.paint(bold, title.String()))}}
		}
	}
	out := string(pr.Text(d))
	return strings.TrimRight(out, "\n") + "\n"
}

// commentText returns the text of a package comment with its comment
// markers and package clause removed. Input that does not parse as Go is
// taken line by line: a leading "package x" line is dropped and "//"
// markers are stripped.
func commentText(doc string) string {
	src := doc
	if !strings.Contains(src, "package ") {
		src += "\npackage p\n"
	}
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err == nil {
		if f.Doc != nil {
			return f.Doc.Text()
		}
		if text := allComments(f.Comments); text != "" {
			return text
		}
	}
	var lines []string
	for _, line := range strings.Split(doc, "\n") {
		t := strings.TrimSpace(line)
		if f := strings.Fields(t); len(f) == 2 && f[0] == "package" {
			continue
		}
		if strings.HasPrefix(t, "//") {
			line = strings.TrimPrefix(strings.TrimPrefix(t, "//"), " ")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// allComments joins the text of comment groups (a doc.go whose comment is
// separated from its package clause by a blank line has no f.Doc).
func allComments(groups []*ast.CommentGroup) string {
	var parts []string
	for _, g := range groups {
		if t := g.Text(); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n")
}

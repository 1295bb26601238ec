package main

import (
	"strings"
	"testing"
	"unicode"
)

// shellCommands splits a POSIX shell command line into its simple commands, each a list of
// words: single and double quotes and backslash escapes as sh reads them, no expansion; an
// unquoted ;, |, & (and && ||) ends a command, a redirection (<, >) ends its words (the rest
// is a file name), an unquoted # at a word's start ends the line. Enough for the commands
// of the Dockerfile and of the docs; a line it cannot read fails the test rather than
// passing unchecked.
func shellCommands(t *testing.T, where, line string) [][]string {
	t.Helper()
	cmds, quote := splitShell(line)
	if quote != 0 {
		t.Fatalf("%s: unterminated %c quote in %q", where, quote, line)
	}
	return cmds
}

// splitShell is shellCommands' reading; quote is the quote left open at the end of line
// (0 when none), which the docs' multi-line strings continue on the next line.
func splitShell(line string) (cmds [][]string, quote rune) {
	var words []string
	var w strings.Builder
	inWord, redirected := false, false
	endWord := func() {
		if inWord && !redirected {
			words = append(words, w.String())
		}
		w.Reset()
		inWord = false
	}
	endCommand := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words, redirected = nil, false
	}
	rs := []rune(line)
scan:
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && i+1 < len(rs) && strings.ContainsRune(`"\$`+"`", rs[i+1]):
				i++
				w.WriteRune(rs[i])
			default:
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\' && i+1 < len(rs):
			i++
			w.WriteRune(rs[i])
			inWord = true
		case r == '#' && !inWord:
			break scan
		case r == ';' || r == '|' || r == '&':
			endCommand()
		case r == '<' || r == '>':
			endWord()
			redirected = true
			if i+1 < len(rs) && rs[i+1] == '&' { // 2>&1 is one redirection
				i++
			}
		case unicode.IsSpace(r):
			endWord()
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	endCommand()
	return cmds, quote
}

func TestShellCommands(t *testing.T) {
	for line, want := range map[string]string{
		`CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/x ./cmd/x`: `CGO_ENABLED=0|go|build|-ldflags=-s -w|-o|/out/x|./cmd/x`,
		`curl -s 'localhost:5050/x?a=1&b=2'   # a comment`:          `curl|-s|localhost:5050/x?a=1&b=2`,
		`a "b \"c\" d" e\ f '' #x`:                                  `a|b "c" d|e f|`,
		`make build && sudo install x y; z | w >out 2>&1`:           `make|build / sudo|install|x|y / z / w`,
		`x --flag=a#b`: `x|--flag=a#b`,
	} {
		var got []string
		for _, c := range shellCommands(t, "test", line) {
			got = append(got, strings.Join(c, "|"))
		}
		if strings.Join(got, " / ") != want {
			t.Errorf("%s:\n got %q\nwant %q", line, strings.Join(got, " / "), want)
		}
	}
}

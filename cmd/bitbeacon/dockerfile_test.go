package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"unicode"
)

// dockerInstruction is one instruction of deploy/Dockerfile, continuation lines joined.
type dockerInstruction struct {
	Name  string // upper case: FROM, RUN, USER...
	Args  string
	Stage int // 0 for the first FROM's stage, 1 for the second...
	Line  int // where it starts
}

// dockerInstructions reads deploy/Dockerfile the way docker does for what the tests need:
// comments and blank lines dropped, a trailing backslash continuing the instruction.
func dockerInstructions(t *testing.T) []dockerInstruction {
	t.Helper()
	var out []dockerInstruction
	stage := -1
	sc := bufio.NewScanner(bytes.NewReader(deployFile(t, "Dockerfile")))
	var cur strings.Builder
	start := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if body, more := strings.CutSuffix(line, `\`); more {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(line)
		name, args, _ := strings.Cut(cur.String(), " ")
		cur.Reset()
		name = strings.ToUpper(name)
		if name == "FROM" {
			stage++
		}
		out = append(out, dockerInstruction{Name: name, Args: strings.TrimSpace(args), Stage: stage, Line: start})
	}
	if cur.Len() > 0 {
		t.Fatalf("Dockerfile ends inside a continued instruction: %q", cur.String())
	}
	return out
}

// shellWords splits a POSIX shell command line into words: single and double quotes and
// backslash escapes as sh reads them, no expansion. Enough for the commands of the
// Dockerfile and of the docs; a line it cannot read fails the test rather than passing
// unchecked.
func shellWords(t *testing.T, where, line string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	rs := []rune(line)
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
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("%s: unterminated %c quote in %q", where, quote, line)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

func TestShellWords(t *testing.T) {
	for line, want := range map[string][]string{
		`CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/x ./cmd/x`: {"CGO_ENABLED=0", "go", "build", "-ldflags=-s -w", "-o", "/out/x", "./cmd/x"},
		`curl -s 'localhost:5050/x?a=1&b=2'`:                        {"curl", "-s", "localhost:5050/x?a=1&b=2"},
		`a "b \"c\" d" e\ f ''`:                                     {"a", `b "c" d`, "e f", ""},
	} {
		if got := shellWords(t, "test", line); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}

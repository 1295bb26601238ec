package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// The commands the docs give to copy and paste run: every bitbeacon invocation in a shell
// block of README.md and docs/*.md names a subcommand of the real command tree, and its
// flags parse (names and values) and its arguments are accepted as that subcommand parses
// them. The command lines written in the text (`bitbeacon serve [--data DIR | --demo]`)
// have their flag names checked.

// docShellLine is a command line of a shell block (continuation lines joined) or an inline
// code span, and where it is.
type docShellLine struct {
	File string
	Line int
	Text string
}

var shellFence = regexp.MustCompile("^```(sh|bash|shell|console)?\\s*$")

// docShellLines returns the lines of the shell blocks of a Markdown file, and its inline
// code spans.
func docShellLines(t *testing.T, path string) (lines, spans []docShellLine) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	inFence, shell := false, false
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			if inFence {
				if cur.Len() > 0 {
					t.Fatalf("%s:%d: a shell block ends inside a continued line", name, start)
				}
				inFence = false
				continue
			}
			inFence = true
			shell = shellFence.MatchString(strings.TrimSpace(line))
			continue
		}
		if !inFence {
			for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
				spans = append(spans, docShellLine{name, n, m[1]})
			}
			continue
		}
		if !shell {
			continue
		}
		text := strings.TrimPrefix(strings.TrimSpace(line), "$ ")
		if cur.Len() > 0 && cur.String()[cur.Len()-1] == '\n' {
			text = line // inside a quoted string: the line as it is
		}
		if cur.Len() == 0 {
			start = n
		}
		if body, more := strings.CutSuffix(text, `\`); more {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(text)
		if _, open := splitShell(cur.String()); open != 0 {
			cur.WriteString("\n") // a quoted string continues on the next line
			continue
		}
		lines = append(lines, docShellLine{name, start, cur.String()})
		cur.Reset()
	}
	return lines, spans
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// bitbeaconInvocations finds the runs of bitbeacon in one simple command: a word naming
// the binary (bitbeacon, ./bin/bitbeacon, /usr/local/bin/bitbeacon, or the image of
// `docker run ... bitbeacon serve`) followed by a lower-case word, which must be a
// subcommand. A bitbeacon followed by nothing, an option or a path is a user, a unit or an
// image name (`sudo -u bitbeacon`, `systemctl reload bitbeacon`).
func bitbeaconInvocations(words []string) [][]string {
	var out [][]string
	for i, w := range words {
		if filepath.Base(w) != "bitbeacon" || i+1 == len(words) {
			continue
		}
		next := words[i+1]
		if next == "" || next[0] < 'a' || next[0] > 'z' || strings.ContainsAny(next, "/.:=") || next == "bitbeacon" {
			continue
		}
		out = append(out, words[i+1:])
	}
	return out
}

// subcommand is the subcommand of a fresh command tree that args start with, and the rest.
func subcommand(args []string) (*cobra.Command, []string) {
	root := rootCmd()
	sub, rest, err := root.Find(args)
	if err != nil || sub == root {
		return nil, nil
	}
	return sub, rest
}

func docFiles(t *testing.T) []string {
	t.Helper()
	root := testenv.RepoRoot(t)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("docs/*.md: %v", err)
	}
	return append([]string{filepath.Join(root, "README.md")}, docs...)
}

func TestDocsShellCommandsMatchTheCLI(t *testing.T) {
	checked := map[string]int{}
	for _, path := range docFiles(t) {
		lines, _ := docShellLines(t, path)
		for _, l := range lines {
			where := l.File + ":" + strconv.Itoa(l.Line)
			for _, words := range shellCommands(t, where, l.Text) {
				for _, args := range bitbeaconInvocations(words) {
					checked[l.File]++
					sub, rest := subcommand(args)
					if sub == nil {
						t.Errorf("%s: bitbeacon has no subcommand %q: %s", where, args[0], l.Text)
						continue
					}
					if sub.DisableFlagParsing {
						continue // bench: its flags are bitbeacon-bench's
					}
					if err := sub.ParseFlags(rest); err != nil {
						t.Errorf("%s: bitbeacon %s: %v: %s", where, sub.Name(), err, l.Text)
						continue
					}
					if err := sub.ValidateArgs(sub.Flags().Args()); err != nil {
						t.Errorf("%s: bitbeacon %s: %v: %s", where, sub.Name(), err, l.Text)
					}
				}
			}
		}
	}
	// The parse must find the commands it is meant to check.
	for _, f := range []string{"README.md", "operations.md"} {
		if checked[f] < 2 {
			t.Errorf("%s: %d bitbeacon commands found in its shell blocks; the parse misses them", f, checked[f])
		}
	}
	t.Logf("bitbeacon commands checked per file: %v", checked)
}

// placeholder strips a command line's synopsis marks: [optional], a | b, FILE...
var synopsisMarks = strings.NewReplacer(`\|`, " ", "|", " ", "[", " ", "]", " ", "...", " ")

func TestDocsInlineCommandFlagsExist(t *testing.T) {
	spansChecked := 0
	for _, path := range docFiles(t) {
		_, spans := docShellLines(t, path)
		for _, s := range spans {
			where := s.File + ":" + strconv.Itoa(s.Line)
			words := strings.Fields(synopsisMarks.Replace(s.Text))
			invs := bitbeaconInvocations(words)
			// `serve --drain`: a subcommand and its flags without the binary's name.
			if len(invs) == 0 && len(words) > 1 && strings.HasPrefix(words[1], "-") {
				if sub, _ := subcommand(words[:1]); sub != nil {
					invs = [][]string{words}
				}
			}
			for _, args := range invs {
				sub, rest := subcommand(args)
				if sub == nil {
					t.Errorf("%s: bitbeacon has no subcommand %q: `%s`", where, args[0], s.Text)
					continue
				}
				spansChecked++
				if sub.DisableFlagParsing {
					continue
				}
				for _, a := range rest {
					name, ok := strings.CutPrefix(a, "--")
					switch {
					case ok:
						name, _, _ = strings.Cut(name, "=")
						if sub.Flags().Lookup(name) == nil {
							t.Errorf("%s: bitbeacon %s has no flag --%s: `%s`", where, sub.Name(), name, s.Text)
						}
					case len(a) == 2 && a[0] == '-':
						if sub.Flags().ShorthandLookup(a[1:]) == nil {
							t.Errorf("%s: bitbeacon %s has no flag %s: `%s`", where, sub.Name(), a, s.Text)
						}
					}
				}
			}
		}
	}
	if spansChecked < 10 {
		t.Errorf("%d command lines found in the docs' text; the parse misses them", spansChecked)
	}
}

// README's table of commands names every subcommand and every flag it has (the help
// flag aside), so that the table stays the CLI's reference.
func TestReadmeCommandTableIsComplete(t *testing.T) {
	_, spans := docShellLines(t, filepath.Join(testenv.RepoRoot(t), "README.md"))
	documented := map[string]map[string]bool{}
	for _, s := range spans {
		words := strings.Fields(synopsisMarks.Replace(s.Text))
		if len(words) < 2 || words[0] != "bitbeacon" {
			continue
		}
		sub, rest := subcommand(words[1:])
		if sub == nil {
			continue
		}
		if documented[sub.Name()] == nil {
			documented[sub.Name()] = map[string]bool{}
		}
		for _, a := range rest {
			if name, ok := strings.CutPrefix(a, "--"); ok {
				documented[sub.Name()][name] = true
			}
		}
	}
	// --verbose is documented once for the commands that log.
	globalVerbose := false
	for _, s := range spans {
		globalVerbose = globalVerbose || s.Text == "--verbose"
	}
	for _, sub := range rootCmd().Commands() {
		if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
			continue
		}
		flags, ok := documented[sub.Name()]
		if !ok {
			t.Errorf("README.md: no `bitbeacon %s ...` line", sub.Name())
			continue
		}
		sub.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" && !f.Hidden && !flags[f.Name] && (f.Name != "verbose" || !globalVerbose) {
				t.Errorf("README.md: `bitbeacon %s` does not mention --%s (%s)", sub.Name(), f.Name, f.Usage)
			}
		})
	}
}

package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
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

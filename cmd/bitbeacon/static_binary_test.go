package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// dockerGoBuild is the Dockerfile's `go build` of the server: the environment it sets, the
// arguments after `go`, and where it writes the binary (-o).
type dockerGoBuild struct {
	Env  []string
	Args []string
	Out  string
}

// dockerBuildLine finds the one RUN instruction of a build stage that runs `go build` of
// ./cmd/bitbeacon and reads it word by word.
func dockerBuildLine(t *testing.T) dockerGoBuild {
	t.Helper()
	var found []dockerGoBuild
	for _, in := range dockerInstructions(t) {
		if in.Name != "RUN" {
			continue
		}
		cmds := shellCommands(t, "Dockerfile RUN", in.Args)
		words := cmds[0]
		var b dockerGoBuild
		i := 0
		for ; i < len(words) && strings.Contains(words[i], "=") && !strings.HasPrefix(words[i], "-"); i++ {
			b.Env = append(b.Env, words[i])
		}
		if len(words) < i+2 || words[i] != "go" || words[i+1] != "build" || !slices.Contains(words, "./cmd/bitbeacon") {
			continue
		}
		if len(cmds) > 1 {
			t.Fatalf("Dockerfile line %d: the go build is one command of several (%q); the test reads one", in.Line, in.Args)
		}
		for j := i + 1; j < len(words); j++ {
			if words[j] == "-o" && j+1 < len(words) {
				b.Out = words[j+1]
			} else if o, ok := strings.CutPrefix(words[j], "-o="); ok {
				b.Out = o
			}
		}
		b.Args = words[i+1:]
		found = append(found, b)
	}
	if len(found) != 1 || found[0].Out == "" {
		t.Fatalf("want one RUN go build ... -o FILE ./cmd/bitbeacon in the Dockerfile, found %+v", found)
	}
	return found[0]
}

// The binary the Dockerfile builds is static: built here with the Dockerfile's own
// environment and flags (only -o changed), its ELF has no program interpreter (PT_INTERP)
// and needs no shared library (DT_NEEDED), so it runs on the empty base. Without
// CGO_ENABLED=0 the net package links against the C library and both appear. The binary
// the last stage copies is the one this line writes.
func TestDockerBuildIsStatic(t *testing.T) {
	b := dockerBuildLine(t)
	copied := false
	for _, in := range dockerInstructions(t) {
		if f := strings.Fields(in.Args); in.Name == "COPY" && len(f) == 3 && strings.HasPrefix(f[0], "--from=") && f[1] == b.Out {
			copied = true
		}
	}
	if !copied {
		t.Errorf("no COPY --from=... %s in the Dockerfile: the image holds another binary than the one checked", b.Out)
	}

	bin := filepath.Join(t.TempDir(), "bitbeacon")
	args := slices.Clone(b.Args)
	for j := range args {
		if args[j] == b.Out && j > 0 && args[j-1] == "-o" {
			args[j] = bin
		} else if strings.HasPrefix(args[j], "-o=") {
			args[j] = "-o=" + bin
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command builds the image's binary: %v", err)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = testenv.RepoRoot(t)
	// The image's toolchain has cgo on by default (gcc is in golang:*-bookworm), like this
	// machine's: drop the caller's own cgo and target settings, keep the Dockerfile's.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "CGO_ENABLED" && k != "GOOS" && k != "GOARCH" && k != "GOFLAGS" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOOS=linux", "GOARCH="+runtime.GOARCH)
	cmd.Env = append(cmd.Env, b.Env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary has a program interpreter (PT_INTERP): it is dynamically linked (build env %v)", b.Env)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("the binary needs shared libraries (DT_NEEDED) %v (build env %v)", libs, b.Env)
	}
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// The packaging in deploy/ is parsed and checked against the command it runs: every
// subcommand and flag it passes exists, the container is static and non-root, the probes
// hit /ready and /health, the release is mounted read-only, and the stop timeouts cover
// the drain period and the shutdown timeout.

func deployFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "deploy", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkArgs verifies that args name a bitbeacon subcommand and only its flags.
func checkArgs(t *testing.T, where string, args []string) {
	t.Helper()
	if len(args) == 0 {
		t.Errorf("%s: no arguments", where)
		return
	}
	var sub *cobra.Command
	for _, c := range rootCmd().Commands() {
		if c.Name() == args[0] {
			sub = c
		}
	}
	if sub == nil {
		t.Errorf("%s: no subcommand %q", where, args[0])
		return
	}
	for _, a := range args[1:] {
		name, ok := strings.CutPrefix(a, "--")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		if sub.Flags().Lookup(name) == nil {
			t.Errorf("%s: %s has no flag --%s", where, args[0], name)
		}
	}
}

// The Dockerfile is multi-stage, its last stage an empty base holding only the binary the
// build stage compiled (with CGO_ENABLED=0; TestDockerBuildIsStatic builds it with the
// same line and reads the ELF), run as a numeric non-root user (scratch has no
// /etc/passwd to look a name up in), with a CMD that the CLI accepts.
func TestDockerfile(t *testing.T) {
	var stages, froms []string
	var user, entrypoint, cmdLine string
	var copiedFrom []string
	instrs := dockerInstructions(t)
	last := instrs[len(instrs)-1].Stage
	static := false
	for _, in := range instrs {
		switch in.Name {
		case "FROM":
			f := strings.Fields(in.Args)
			froms = append(froms, f[0])
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stages = append(stages, f[2])
			}
		case "RUN":
			if strings.Contains(in.Args, "CGO_ENABLED=0") && strings.Contains(in.Args, "./cmd/bitbeacon") {
				static = true
			}
		case "USER":
			if in.Stage == last {
				user = in.Args
			}
		case "COPY":
			if from, ok := strings.CutPrefix(strings.Fields(in.Args)[0], "--from="); ok && in.Stage == last {
				copiedFrom = append(copiedFrom, from)
			}
		case "ENTRYPOINT":
			entrypoint = in.Args
		case "CMD":
			cmdLine = in.Args
		}
	}
	if len(froms) < 2 || len(stages) == 0 || !slices.Contains([]string{"scratch", "gcr.io/distroless/static"}, strings.Split(froms[len(froms)-1], ":")[0]) {
		t.Errorf("want a multi-stage build ending on an empty base: FROM %v (stages %v)", froms, stages)
	}
	if len(copiedFrom) == 0 {
		t.Error("the last stage copies nothing from a build stage")
	}
	for _, from := range copiedFrom {
		if !slices.Contains(stages, from) {
			t.Errorf("COPY --from=%s: no such stage (stages %v)", from, stages)
		}
	}
	if !static {
		t.Error("the binary is not built with CGO_ENABLED=0")
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("USER %q in the last stage: want a numeric non-root uid", user)
	}
	if entrypoint != `["/bitbeacon"]` {
		t.Errorf("ENTRYPOINT %s", entrypoint)
	}
	var args []string
	if err := yaml.Unmarshal([]byte(cmdLine), &args); err != nil {
		t.Fatalf("CMD %s: %v", cmdLine, err)
	}
	checkArgs(t, "Dockerfile CMD", args)
}

func TestSystemdUnit(t *testing.T) {
	sections := map[string]map[string][]string{}
	var cur string
	sc := bufio.NewScanner(bytes.NewReader(deployFile(t, "bitbeacon.service")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			cur = line[1 : len(line)-1]
			sections[cur] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || cur == "" {
				t.Fatalf("not a unit file line: %q", line)
			}
			sections[cur][k] = append(sections[cur][k], v)
		}
	}
	svc := sections["Service"]
	if svc == nil || sections["Unit"] == nil || sections["Install"] == nil {
		t.Fatalf("sections: %v", sections)
	}
	for _, k := range []string{"ExecStart", "ExecStartPre"} {
		if len(svc[k]) != 1 {
			t.Fatalf("%s: %v", k, svc[k])
		}
		f := strings.Fields(svc[k][0])
		if filepath.Base(f[0]) != "bitbeacon" {
			t.Errorf("%s runs %s", k, f[0])
		}
		checkArgs(t, k, f[1:])
	}
	if u := svc["User"]; len(u) != 1 || u[0] == "root" {
		t.Errorf("User=%v", u)
	}
	if stop, err := strconv.Atoi(svc["TimeoutStopSec"][0]); svc["KillSignal"][0] != "SIGTERM" || err != nil || stop <= 35 {
		t.Errorf("stop: KillSignal=%v TimeoutStopSec=%v (want SIGTERM and more than 5 s drain + 30 s shutdown)", svc["KillSignal"], svc["TimeoutStopSec"])
	}
	if !strings.Contains(svc["ExecReload"][0], "-HUP") {
		t.Errorf("ExecReload=%v: a reload is SIGHUP", svc["ExecReload"])
	}
}

// k8sObject is the part of the manifests the test reads.
type k8sObject struct {
	Kind     string
	Metadata struct {
		Name   string
		Labels map[string]string
	}
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		}
		MaxUnavailable any    `yaml:"maxUnavailable"`
		CompletionMode string `yaml:"completionMode"`
		Completions    int
		Parallelism    int
		Template       struct {
			Metadata struct{ Labels map[string]string }
			Spec     podSpec
		}
	}
}

type podSpec struct {
	TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name string
		Args []string
		Env  []struct {
			Name      string
			ValueFrom *struct {
				FieldRef *struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
			} `yaml:"valueFrom"`
		}
		Ports []struct {
			Name          string
			ContainerPort int `yaml:"containerPort"`
		}
		ReadinessProbe *probe `yaml:"readinessProbe"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		VolumeMounts   []struct {
			Name      string
			MountPath string `yaml:"mountPath"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"volumeMounts"`
	}
	Volumes []struct {
		Name                  string
		PersistentVolumeClaim *struct {
			ClaimName string `yaml:"claimName"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"persistentVolumeClaim"`
	}
}

type probe struct {
	HTTPGet struct {
		Path string
		Port any
	} `yaml:"httpGet"`
}

func k8sObjects(t *testing.T) []k8sObject {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "deploy", "kubernetes", "*.yaml"))
	var out []k8sObject
	for _, f := range files {
		dec := yaml.NewDecoder(bytes.NewReader(deployFile(t, filepath.Join("kubernetes", filepath.Base(f)))))
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "" || o.Metadata.Name == "" {
				t.Fatalf("%s: an object without kind or name", f)
			}
			out = append(out, o)
		}
	}
	return out
}

func TestKubernetesManifests(t *testing.T) {
	objs := k8sObjects(t)
	byKind := map[string][]k8sObject{}
	for _, o := range objs {
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	for _, k := range []string{"Deployment", "Service", "PodDisruptionBudget", "Job", "ConfigMap", "PersistentVolumeClaim"} {
		if len(byKind[k]) == 0 {
			t.Errorf("no %s", k)
		}
	}
	if t.Failed() {
		return
	}
	d := byKind["Deployment"][0]
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("deployment containers: %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	checkArgs(t, "Deployment args", c.Args)
	if i := slices.Index(c.Args, "--listen"); i < 0 || len(c.Args) <= i+1 || !strings.HasSuffix(c.Args[i+1], ":5050") ||
		len(c.Ports) != 1 || c.Ports[0].ContainerPort != 5050 {
		t.Errorf("listen address %v and container ports %+v disagree", c.Args, c.Ports)
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/ready" || c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/health" {
		t.Errorf("probes: readiness %+v, liveness %+v", c.ReadinessProbe, c.LivenessProbe)
	}
	if pod.TerminationGracePeriodSeconds <= 35 || !pod.SecurityContext.RunAsNonRoot {
		t.Errorf("terminationGracePeriodSeconds %d (want > 35), runAsNonRoot %v", pod.TerminationGracePeriodSeconds, pod.SecurityContext.RunAsNonRoot)
	}
	readOnlyRelease := false
	for _, m := range c.VolumeMounts {
		if m.MountPath == "/data" && m.ReadOnly {
			readOnlyRelease = true
		}
	}
	if !readOnlyRelease {
		t.Error("the release volume is not mounted read-only at /data")
	}
	pdb := byKind["PodDisruptionBudget"][0]
	for k, v := range pdb.Spec.Selector.MatchLabels {
		if d.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("the PodDisruptionBudget selects %s=%s, which the pods do not carry", k, v)
		}
	}
	claim := byKind["PersistentVolumeClaim"][0].Metadata.Name
	uses := func(p podSpec) bool {
		for _, v := range p.Volumes {
			if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
				return true
			}
		}
		return false
	}
	if !uses(pod) {
		t.Errorf("the servers do not use the release claim %s", claim)
	}
	for _, j := range byKind["Job"] {
		job := j.Spec.Template.Spec
		checkArgs(t, "Job "+j.Metadata.Name+" args", job.Containers[0].Args)
		if !uses(job) {
			t.Errorf("Job %s does not use the release claim %s", j.Metadata.Name, claim)
		}
	}
	checkPartitionJob(t, byKind["Job"])
}

// checkPartitionJob checks the partitioned index build: an Indexed Job whose pods build
// --partition $(VAR)/N with N its completions and VAR its completion index, then a Job
// merging them.
func checkPartitionJob(t *testing.T, jobs []k8sObject) {
	t.Helper()
	var indexed, merge *k8sObject
	for i, j := range jobs {
		args := j.Spec.Template.Spec.Containers[0].Args
		if j.Spec.CompletionMode == "Indexed" {
			indexed = &jobs[i]
		}
		if len(args) > 0 && args[0] == "index" && slices.Contains(args, "--merge") {
			merge = &jobs[i]
		}
	}
	if indexed == nil || merge == nil {
		t.Fatalf("no Indexed Job building index partitions (%v) or no Job merging them (%v)", indexed != nil, merge != nil)
	}
	c := indexed.Spec.Template.Spec.Containers[0]
	i := slices.Index(c.Args, "--partition")
	if c.Args[0] != "index" || i < 0 || i+1 >= len(c.Args) {
		t.Fatalf("Indexed Job args %v: no index --partition", c.Args)
	}
	ref, n, ok := strings.Cut(c.Args[i+1], "/")
	if !ok || !strings.HasPrefix(ref, "$(") || !strings.HasSuffix(ref, ")") {
		t.Fatalf("--partition %s: want $(VAR)/N", c.Args[i+1])
	}
	if n != strconv.Itoa(indexed.Spec.Completions) || indexed.Spec.Parallelism < 1 {
		t.Errorf("--partition %s but the Job has %d completions (parallelism %d)", c.Args[i+1], indexed.Spec.Completions, indexed.Spec.Parallelism)
	}
	if _, err := engine.ParsePartitionSpec("0/" + n); err != nil {
		t.Error(err)
	}
	name := ref[2 : len(ref)-1]
	defined := name == "JOB_COMPLETION_INDEX" // set by the Job controller
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
			e.ValueFrom.FieldRef.FieldPath == "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
			defined = true
		}
	}
	if !defined {
		t.Errorf("--partition reads $(%s), which is not the pod's completion index", name)
	}
}

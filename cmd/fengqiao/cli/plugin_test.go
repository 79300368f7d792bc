package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestPluginCommands: check, install, list, enable and disable of the example plugin, as an
// operator runs them.
func TestPluginCommands(t *testing.T) {
	useDatabase(t, storetest.NewDatabase(t))
	t.Setenv("FENGQIAO_PLUGINS_DIR", filepath.Join(t.TempDir(), "plugins"))
	bin := filepath.Join(t.TempDir(), "example")
	build := exec.Command("go", "build", "-o", bin, "./plugins/example/cmd")
	build.Dir = "../../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the example: %v\n%s", err, out)
	}
	notPlugin := filepath.Join(t.TempDir(), "not-a-plugin")
	if err := os.WriteFile(notPlugin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	runSteps(t, []step{
		{name: "onboard", args: []string{"tenant", "onboard", "310107", "370104"}},
		{name: "check", args: []string{"plugin", "check", bin}, wantOut: []string{"ok   handshake", "ok   manifest", "ok   hook case.intake", "ok   route GET /public/greeting", "example 1.0.0 (protocol 1)"}},
		{name: "check --json", args: []string{"plugin", "check", "--json", bin}, wantOut: []string{`"name": "example"`, `"protocol_version": 1`, `"sha256": "`, `"settings_schema": {`}},
		{name: "check a script", args: []string{"plugin", "check", notPlugin}, wantErr: []string{"not a Fengqiao plugin"}},
		{name: "check nothing", args: []string{"plugin", "check", filepath.Join(t.TempDir(), "none")}, wantErr: []string{"no plugin binary"}},
		{name: "list empty", args: []string{"plugin", "list"}, wantOut: []string{"NAME"}, notOut: []string{"example"}},
		{name: "install", args: []string{"plugin", "install", bin}, wantOut: []string{"installed example 1.0.0", "sha256 "}},
		{name: "install again", args: []string{"plugin", "install", bin}, wantOut: []string{"example 1.0.0 already installed"}},
		{name: "list", args: []string{"plugin", "list", "--json"}, wantOut: []string{`"name": "example"`, `"version": "1.0.0"`, `"regions": [`}},
		{name: "enable outside its regions", args: []string{"plugin", "enable", "example", "--tenant", "370104"}, wantErr: []string{"regions"}},
		{name: "enable with a bad setting", args: []string{"plugin", "enable", "example", "--tenant", "310107", "--settings", `{"forbidden_word":""}`}, wantErr: []string{"settings.forbidden_word"}},
		{name: "enable an unknown plugin", args: []string{"plugin", "enable", "nosuch", "--tenant", "310107"}, wantErr: []string{"not installed"}},
		{name: "enable", args: []string{"plugin", "enable", "example", "--tenant", "310107", "--settings", `{"greeting":"您好"}`}, wantOut: []string{"example enabled for 310107"}},
		{name: "disable", args: []string{"plugin", "disable", "example", "--tenant", "310107"}, wantOut: []string{"example disabled for 310107"}},
	})
}

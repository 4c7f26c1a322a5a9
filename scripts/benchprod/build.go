package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// git runs git in the repository and returns its trimmed output.
func git(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), tail(string(ee.Stderr)))
		}
		return "", fmt.Errorf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// commit resolves rev to a full commit hash.
func commit(ctx context.Context, rev string) (string, error) {
	return git(ctx, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
}

// describeTree names the working tree the "after" binary is built from:
// HEAD's short hash, with "+ uncommitted changes" when files differ from
// it or are new (and not ignored).
func describeTree(ctx context.Context) (string, error) {
	head, err := git(ctx, "rev-parse", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	dirty, err := git(ctx, "status", "--porcelain")
	if err != nil {
		return "", err
	}
	if dirty != "" {
		head += " + uncommitted changes"
	}
	return "the working tree at " + head, nil
}

// buildAt extracts commit hash into dir/src (git archive) and builds its
// CLI as dir/name.
func buildAt(ctx context.Context, hash, dir, name string) (string, error) {
	src := filepath.Join(dir, "src-"+name)
	if err := os.Mkdir(src, 0o755); err != nil {
		return "", err
	}
	// hash is rev-parse's hex output, safe to put in a shell line.
	sh := exec.CommandContext(ctx, "sh", "-c", "git archive --format=tar "+hash+" | tar -x -C "+shellQuote(src))
	if out, err := sh.CombinedOutput(); err != nil {
		return "", fmt.Errorf("git archive %s: %v: %s", hash, err, tail(string(out)))
	}
	return goBuild(ctx, src, filepath.Join(dir, name))
}

// buildTree builds the working tree's CLI as dir/name.
func buildTree(ctx context.Context, root, dir, name string) (string, error) {
	return goBuild(ctx, root, filepath.Join(dir, name))
}

func goBuild(ctx context.Context, src, out string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/arinfer")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %v\n%s", src, err, b)
	}
	return out, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

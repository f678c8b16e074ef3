//go:build tools

// Keeps github.com/google/cadvisor (a main package in v0.36.0) in this module's build list.
package tools

import _ "github.com/google/cadvisor"

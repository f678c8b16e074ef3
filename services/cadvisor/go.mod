// Throwaway module that builds the cAdvisor binary from the Go module proxy.
// scripts/services.sh copies this folder into ${CARGOSCOPE_CACHE}/cadvisor and runs
// `go build github.com/google/cadvisor` there. See docs/SERVICES.md for why v0.36.0:
// github.com/google/cadvisor/cmd (where newer releases keep main) is not served by the proxy.
module cargoscope.dev/cadvisor-build

go 1.20

require github.com/google/cadvisor v0.36.0

package ptrace

// nativeAudit is the AUDIT_ARCH_* value of the tracer's own architecture, the one its
// launcher's execve is made with.
const nativeAudit = 0xc00000b7 // AUDIT_ARCH_AARCH64

package ops

import "syscall"

// lowerThreadPriority sets the calling thread's nice value to 19. On Linux setpriority
// with a thread id changes that thread alone; an error (a seccomp filter, say) leaves the
// thread at its priority.
func lowerThreadPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}

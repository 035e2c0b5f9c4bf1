// The agent's one thread: listens on the abstract Unix socket "memlens-agent.<pid>" (SOCK_STREAM,
// same uid or root only, checked with SO_PEERCRED) and answers the requests of wire/protocol.h.
// It starts with every signal blocked, marks itself permanently inside the re-entry guard (its
// own allocations are never recorded), and never blocks the target: every socket wait is a poll
// with a timeout, and a client that stops reading for 5 s is dropped.
//
//   start_server();   // from the constructor, or in a followed fork child
//
// Thread-safety: start_server() is called once per process image.
#pragma once

namespace memlens::agent {

void start_server();
// In a fork child: closes the parent's listening and client sockets, which the child inherited
// (the parent's socket name must not outlive the parent in an untracked child).
void close_inherited_server_fds();

}  // namespace memlens::agent

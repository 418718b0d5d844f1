/* md_request.h — the agent's side of a `memdump --pid` request (protocol in md_proto.h). */
#ifndef MD_REQUEST_H
#define MD_REQUEST_H

#include <stdint.h>
#include <sys/types.h>

/* Control thread: connect back to the requester, take the snapshot it asks for, reply. */
void md_request_serve(pid_t reqpid, uint32_t nonce);

#endif

/* md_trigger.h — the trigger signal: its handler queues the request (sender pid, nonce) and wakes
 * the control thread; nothing else happens in signal context. */
#ifndef MD_TRIGGER_H
#define MD_TRIGGER_H

#include <stdint.h>
#include <sys/types.h>

typedef struct md_trigger_ev {
    pid_t pid;              /* sender */
    uint32_t nonce;         /* 0 = plain signal */
} md_trigger_ev;

/* Control thread: takes one queued event; returns 1 if there was one. */
int md_trigger_next(md_trigger_ev *ev);
/* Reset after fork(). */
void md_trigger_reset(void);

/* The real sigaction (the agent interposes sigaction/signal to notice a program taking over
 * the trigger signal). */
int md_real_sigaction(int sig, const void *act, void *old);

#endif

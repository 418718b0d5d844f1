/* py_stackdepth.c — how deep a frame's evaluation stack is at a given instruction, from its
 * bytecode alone (see py_stackdepth.h).
 *
 * The interpreter keeps a running frame's stack pointer in a register, so for a thread blocked
 * in a C call, or a frame suspended in a call through C, the dump cannot read how many stack
 * slots hold live values. The depth at an instruction is a property of the code, though: this is
 * the compiler's own stack-depth analysis, redone over the instructions. Specialized opcodes are
 * mapped back to their generic forms (_PyOpcode_Deopt), inline cache entries are skipped
 * (_PyOpcode_Caches), and each opcode's effect comes from PyCompile_OpcodeStackEffectWithJump, a
 * pure function of the interpreter (no allocation, no state). Exception handlers start at the
 * depth the exception table records, plus the saved instruction offset and the exception.
 *
 * Work memory (one int per code unit, and a worklist) is mmap'd: this runs in the snapshot child.
 */
#define NEED_OPCODE_TABLES
#include "py_stackdepth.h"
#include "py_maps.h"
#include "py_vec.h"

#include <internal/pycore_opcode.h>
#include <string.h>

static pyvec depth_v, work_v;

static int backward(int op)
{
    return op == JUMP_BACKWARD || op == JUMP_BACKWARD_NO_INTERRUPT || op == POP_JUMP_BACKWARD_IF_FALSE ||
           op == POP_JUMP_BACKWARD_IF_TRUE || op == POP_JUMP_BACKWARD_IF_NONE ||
           op == POP_JUMP_BACKWARD_IF_NOT_NONE;
}

static int is_jump(int op)
{
    return (_PyOpcode_Jump[op >> 5] >> (op & 31)) & 1;
}

static int no_fallthrough(int op)
{
    return op == RETURN_VALUE || op == RAISE_VARARGS || op == RERAISE || op == JUMP_FORWARD ||
           op == JUMP_BACKWARD || op == JUMP_BACKWARD_NO_INTERRUPT;
}

/* Decode the instruction at i: deoptimized opcode, full oparg (EXTENDED_ARG prefixes folded),
 * and the index after it and its caches. Returns the index of the real instruction. */
static Py_ssize_t decode(const _Py_CODEUNIT *code, Py_ssize_t n, Py_ssize_t i, int *op, int *arg, Py_ssize_t *next)
{
    int oparg = 0, o;
    for (;;) {
        o = _PyOpcode_Deopt[_Py_OPCODE(code[i])];
        oparg = oparg << 8 | _Py_OPARG(code[i]);
        if (o != EXTENDED_ARG || i + 1 >= n)
            break;
        i++;
    }
    *op = o;
    *arg = oparg;
    *next = i + 1 + _PyOpcode_Caches[o];
    return i;
}

static int push(Py_ssize_t **work, size_t *nw, Py_ssize_t i)
{
    if (pyvec_reserve(&work_v, (*nw + 1) * sizeof(Py_ssize_t)))
        return -1;
    *work = work_v.p;
    (*work)[(*nw)++] = i;
    return 0;
}

static int set_depth(int *depth, Py_ssize_t **work, size_t *nw, Py_ssize_t i, int d)
{
    if (depth[i] >= 0)
        return 0;
    depth[i] = d;
    return push(work, nw, i);
}

/* Exception table entry varints: 6 bits per byte, most significant first, bit 6 = more. */
static int excvarint(const uint8_t **p, const uint8_t *end, int *out)
{
    int v = 0;
    for (int k = 0; k < 6; k++) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        v = v << 6 | (b & 63);
        if (!(b & 64)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int py_stack_depth(PyCodeObject *co, Py_ssize_t target, int *effect)
{
    Py_ssize_t n = Py_SIZE(co);
    if (n <= 0 || target < 0 || target >= n || n > (1 << 24) ||
        !pymaps_readable(PA(co), (size_t)PyCode_Type.tp_basicsize + (size_t)n * sizeof(_Py_CODEUNIT)))
        return -1;
    const _Py_CODEUNIT *code = _PyCode_CODE(co);
    if (pyvec_reserve(&depth_v, (size_t)n * sizeof(int)))
        return -1;
    int *depth = depth_v.p;
    memset(depth, 0xff, (size_t)n * sizeof(int));      /* -1: not reached */
    Py_ssize_t *work = work_v.p;
    size_t nw = 0;
    if (set_depth(depth, &work, &nw, 0, 0))
        return -1;
    /* handlers, from the exception table: start, length, target, depth << 1 | lasti */
    PyObject *et = co->co_exceptiontable;
    if (et && pymaps_readable(PA(et), sizeof(PyBytesObject)) && Py_TYPE(et) == &PyBytes_Type &&
        pymaps_readable(PA(et), sizeof(PyBytesObject) + (size_t)Py_SIZE(et))) {
        const uint8_t *p = (const uint8_t *)((PyBytesObject *)et)->ob_sval, *end = p + Py_SIZE(et);
        while (p < end) {
            int start, len, tgt, dl;
            if (excvarint(&p, end, &start) || excvarint(&p, end, &len) || excvarint(&p, end, &tgt) ||
                excvarint(&p, end, &dl))
                break;
            if (tgt >= 0 && tgt < n && set_depth(depth, &work, &nw, tgt, (dl >> 1) + (dl & 1) + 1))
                return -1;
        }
    }
    while (nw) {
        Py_ssize_t i = work[--nw];
        int d = depth[i];
        while (i < n) {
            int op, arg;
            Py_ssize_t next;
            Py_ssize_t at = decode(code, n, i, &op, &arg, &next);
            if (at != i)
                depth[at] = d;          /* the instruction behind its EXTENDED_ARG prefixes */
            if (op == CACHE) {          /* not an instruction: should not be reached */
                i = next;
                continue;
            }
            int e = PyCompile_OpcodeStackEffectWithJump(op, arg, 0);
            if (at == target && effect)
                *effect = e;
            if (is_jump(op)) {
                int ej = PyCompile_OpcodeStackEffectWithJump(op, arg, 1);
                Py_ssize_t t = backward(op) ? next - arg : next + arg;
                if (ej != PY_INVALID_STACK_EFFECT && t >= 0 && t < n &&
                    set_depth(depth, &work, &nw, t, d + ej))
                    return -1;
                work = work_v.p;
            }
            if (no_fallthrough(op) || e == PY_INVALID_STACK_EFFECT || next >= n)
                break;
            d += e;
            if (d < 0)
                break;
            if (depth[next] >= 0)
                break;
            depth[next] = d;
            i = next;
        }
        work = work_v.p;
    }
    return depth[target];
}

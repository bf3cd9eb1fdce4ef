// Calls into wabt's interpreter with an instruction budget.
//
// wabt 1.0.32's public Func::Call runs a function to completion (Thread::Run loops until
// it returns), so a module that never returns would hang its caller. This does what
// DefinedFunc::DoCall does — push the arguments and the frame, step, pop the results —
// but stops after a given number of instructions. The steps it needs are private members
// of wabt::interp::Thread; bounded_call.cc reaches them through the explicit-instantiation
// rule (access is not checked on the template arguments of an explicit instantiation),
// against the exact wabt version CMake requires.
#pragma once

#include <cstdint>

#include "wabt/interp/interp.h"

namespace proxy_wasm::engine {

enum class BoundedResult { Ok, Trap, Exhausted };

// Calls `func` (a function defined by the module) on `thread`. `*remaining` is the budget
// left; every executed instruction takes one from it (0 = exhausted). With `unlimited`
// the budget is ignored. Host functions called on the way may call back in (nested
// calls share the thread, as with Func::Call).
BoundedResult boundedCall(wabt::interp::Thread& thread, const wabt::interp::DefinedFunc& func,
                          const wabt::interp::Values& params, wabt::interp::Values& results,
                          uint64_t* remaining, bool unlimited, wabt::interp::Trap::Ptr* out_trap);

}  // namespace proxy_wasm::engine

// See bounded_call.h.
#include "bounded_call.h"

namespace proxy_wasm::engine {
namespace {

namespace wi = wabt::interp;

// Pointers to private members, obtained by explicit instantiation.
template <class Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type get(Tag) { return Member; }
};

struct StepTag {
  using type = wi::RunResult (wi::Thread::*)(wi::Trap::Ptr*);
  friend type get(StepTag);
};
struct PushCallTag {
  using type = wi::RunResult (wi::Thread::*)(const wi::DefinedFunc&, wi::Trap::Ptr*);
  friend type get(PushCallTag);
};
struct PushValuesTag {
  using type = void (wi::Thread::*)(const wi::ValueTypes&, const wi::Values&);
  friend type get(PushValuesTag);
};
struct PopValuesTag {
  using type = void (wi::Thread::*)(const wi::ValueTypes&, wi::Values*);
  friend type get(PopValuesTag);
};

template struct Expose<StepTag, &wi::Thread::StepInternal>;
template struct Expose<PushCallTag, &wi::Thread::PushCall>;
template struct Expose<PushValuesTag, &wi::Thread::PushValues>;
template struct Expose<PopValuesTag, &wi::Thread::PopValues>;

}  // namespace

BoundedResult boundedCall(wi::Thread& thread, const wi::DefinedFunc& func, const wi::Values& params,
                          wi::Values& results, uint64_t* remaining, bool unlimited, wi::Trap::Ptr* out_trap) {
  const wi::FuncType& type = func.type();
  (thread.*get(PushValuesTag{}))(type.params, params);
  if ((thread.*get(PushCallTag{}))(func, out_trap) == wi::RunResult::Trap) return BoundedResult::Trap;
  const auto step = get(StepTag{});
  wi::RunResult result = wi::RunResult::Ok;
  if (unlimited) {
    do {
      result = (thread.*step)(out_trap);
    } while (result == wi::RunResult::Ok);
  } else {
    // Decremented in place: a nested call (the allocator under a host function) draws
    // from the same budget while this one is suspended.
    uint64_t& left = *remaining;
    while (left > 0) {
      --left;
      result = (thread.*step)(out_trap);
      if (result != wi::RunResult::Ok) break;
    }
    if (result == wi::RunResult::Ok) return BoundedResult::Exhausted;
  }
  // Return: the frame we pushed was popped. Trap or an uncaught exception (the exception
  // proposal is not enabled): the call failed.
  if (result != wi::RunResult::Return) return BoundedResult::Trap;
  (thread.*get(PopValuesTag{}))(type.results, &results);
  return BoundedResult::Ok;
}

}  // namespace proxy_wasm::engine

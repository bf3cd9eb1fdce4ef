// Timers multiplexed on a root's single tick (see RootContext::addTimer).
#pragma once

#include <cstdint>
#include <utility>

namespace proxy_wasm::detail {

class Timer {
 public:
  Timer() = default;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  virtual ~Timer() = default;
  virtual void fire() = 0;

  uint32_t id = 0;
  uint64_t due_ns = 0;
  uint64_t period_ns = 0;  // 0: one-shot
  bool cancelled = false;
  Timer* next = nullptr;
};

template <class F>
class TimerFn final : public Timer {
 public:
  explicit TimerFn(F&& fn) : fn_(std::forward<F>(fn)) {}
  void fire() override { fn_(); }

 private:
  std::decay_t<F> fn_;
};

}  // namespace proxy_wasm::detail

// Timers multiplexed on a root's single tick (RootContext::addTimer): a min-heap per root
// ordered by due time, so arming, firing and cancelling cost O(log n) however many timers
// a root has.
#pragma once

#include <cstdint>
#include <cstdlib>
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
  uint32_t root = 0;       // the root whose tick fires it
  uint64_t seq = 0;        // creation order (timers added during a tick wait for the next)
  uint64_t due_ns = 0;
  uint64_t period_ns = 0;  // 0: one-shot
  bool cancelled = false;
  Timer* next_held = nullptr;  // while a tick holds it back
};

template <class F>
class TimerFn final : public Timer {
 public:
  explicit TimerFn(F&& fn) : fn_(std::forward<F>(fn)) {}
  void fire() override { fn_(); }

 private:
  std::decay_t<F> fn_;
};

// The timers of one root. Cancelled timers stay in the heap until they reach its top.
class TimerHeap {
 public:
  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;
  ~TimerHeap() {
    for (uint32_t i = 0; i < size_; ++i) delete items_[i];
    std::free(items_);
  }

  bool push(Timer* t) {
    if (size_ == capacity_) {
      const uint32_t cap = capacity_ ? capacity_ * 2 : 8;
      auto* grown = static_cast<Timer**>(std::realloc(items_, cap * sizeof(Timer*)));
      if (!grown) return false;
      items_ = grown;
      capacity_ = cap;
    }
    uint32_t i = size_++;
    items_[i] = t;
    while (i > 0) {
      const uint32_t parent = (i - 1) / 2;
      if (!before(items_[i], items_[parent])) break;
      std::swap(items_[i], items_[parent]);
      i = parent;
    }
    return true;
  }
  // The earliest timer (cancelled or not), or null.
  Timer* top() const { return size_ ? items_[0] : nullptr; }
  Timer* pop() {
    if (!size_) return nullptr;
    Timer* t = items_[0];
    items_[0] = items_[--size_];
    uint32_t i = 0;
    for (;;) {
      const uint32_t l = 2 * i + 1, r = l + 1;
      uint32_t m = i;
      if (l < size_ && before(items_[l], items_[m])) m = l;
      if (r < size_ && before(items_[r], items_[m])) m = r;
      if (m == i) break;
      std::swap(items_[i], items_[m]);
      i = m;
    }
    return t;
  }
  // Drops cancelled timers from the top; returns the earliest live one.
  Timer* live() {
    while (size_ && items_[0]->cancelled) delete pop();
    return top();
  }
  uint32_t size() const { return size_; }  // including cancelled timers not yet dropped
  template <class Fn>
  void forEach(Fn&& fn) const {
    for (uint32_t i = 0; i < size_; ++i) fn(items_[i]);
  }

 private:
  static bool before(const Timer* a, const Timer* b) {
    return a->due_ns != b->due_ns ? a->due_ns < b->due_ns : a->id < b->id;
  }
  Timer** items_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
};

}  // namespace proxy_wasm::detail

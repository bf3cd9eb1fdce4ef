// u32 id -> object map for the dispatcher (contexts by context id, callouts by token,
// timers by id): open addressing, no string hashing, no per-insert allocation (the table
// grows by doubling), O(1) expected per operation whatever the number of entries.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "proxy_wasm/config.h"

namespace proxy_wasm {
namespace detail {

// Untyped core (one copy of the code however many maps there are); IdMap<T> types it.
class IdMapBase {
 public:
  constexpr IdMapBase() = default;
  IdMapBase(const IdMapBase&) = delete;
  IdMapBase& operator=(const IdMapBase&) = delete;
  // No destructor: the dispatcher's maps live as long as the module (clear() frees).

  // The last id looked up or inserted is answered without probing (a stream's callbacks
  // come one after another), and its slot is remembered for erase (proxy_on_delete follows
  // proxy_on_done for the same id). id 0 is never stored: find(0) answers null either way
  // (last_ is null whenever last_id_ is 0).
  PROXY_WASM_ALWAYS_INLINE void* find(uint32_t id) const {
    if (id == last_id_) return last_;
    return findSlow(id);
  }
  __attribute__((noinline)) void* findSlow(uint32_t id) const {
    if (capacity_ == 0 || id == 0) return nullptr;
    for (uint32_t i = slot(id);; i = (i + 1) & (capacity_ - 1)) {
      ++probes_;
      if (slots_[i].id == id) {
        remember(id, slots_[i].context, i);
        return last_;
      }
      if (slots_[i].id == 0) return nullptr;
    }
  }

  // Inserts or overwrites `id` (not 0), and makes it the cached last lookup (its first
  // callback follows). `*replaced` receives the context it overwrote, if any. Returns false
  // only when memory is exhausted. Inline when the id's home slot is free (the common case);
  // growth and collisions are out of line.
  PROXY_WASM_ALWAYS_INLINE bool insert(uint32_t id, void* context, void** replaced = nullptr) {
    if (PROXY_WASM_LIKELY(size_ < grow_at_)) {
      const uint32_t i = slot(id);
      if (PROXY_WASM_LIKELY(slots_[i].id == 0)) {
        ++size_;
        if (replaced) *replaced = nullptr;
        slots_[i] = {id, context};
        remember(id, context, i);
        return true;
      }
    }
    return insertSlow(id, context, replaced);
  }
  __attribute__((noinline)) bool insertSlow(uint32_t id, void* context, void** replaced) {
    if (size_ >= grow_at_ && !grow()) return false;
    uint32_t i = slot(id);
    while (slots_[i].id != 0 && slots_[i].id != id) {
      ++probes_;
      i = (i + 1) & (capacity_ - 1);
    }
    void* old = nullptr;
    if (slots_[i].id == id) {
      old = slots_[i].context;
    } else {
      ++size_;
    }
    if (replaced) *replaced = old;
    slots_[i] = {id, context};
    remember(id, context, i);
    return true;
  }

  // Removes `id`. Inline for the id just looked up whose next slot is free (the common
  // case: proxy_on_delete after proxy_on_done); otherwise out of line, with backward-shift
  // deletion keeping probe chains intact without tombstones.
  PROXY_WASM_ALWAYS_INLINE void* erase(uint32_t id) {
    if (PROXY_WASM_LIKELY(id == last_id_ && id != 0)) {
      const uint32_t i = last_slot_;
      if (PROXY_WASM_LIKELY(slots_[(i + 1) & (capacity_ - 1)].id == 0)) {
        void* removed = last_;
        slots_[i] = {0, nullptr};
        --size_;
        forget();
        return removed;
      }
    }
    return eraseSlow(id);
  }
  __attribute__((noinline)) void* eraseSlow(uint32_t id) {
    if (capacity_ == 0 || id == 0) return nullptr;
    const uint32_t mask = capacity_ - 1;
    uint32_t i;
    if (id == last_id_) {
      i = last_slot_;
    } else {
      i = slot(id);
      while (slots_[i].id != id) {
        ++probes_;
        if (slots_[i].id == 0) return nullptr;
        i = (i + 1) & mask;
      }
    }
    forget();  // entries may move below
    void* removed = slots_[i].context;
    for (uint32_t j = (i + 1) & mask; slots_[j].id != 0; j = (j + 1) & mask) {
      const uint32_t home = slot(slots_[j].id);
      // Move j into the hole at i if its home is not in the cyclic range (i, j].
      const bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!in_range) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = {0, nullptr};
    --size_;
    return removed;
  }

  uint32_t size() const { return size_; }

  // Probes made by find/insert/erase since construction (tests pin O(1) behaviour on it).
  uint64_t probes() const { return probes_; }

  // Forgets every entry (does not delete the objects).
  void clear() {
    std::free(slots_);
    slots_ = nullptr;
    capacity_ = size_ = grow_at_ = 0;
    shift_ = 28;
    forget();
  }

  // Calls fn(id, context) for every entry (do not mutate the table meanwhile).
  template <class Fn>
  void forEach(Fn&& fn) const {
    for (uint32_t i = 0; i < capacity_; ++i)
      if (slots_[i].id != 0) fn(slots_[i].id, slots_[i].context);
  }

 private:
  struct Slot {
    uint32_t id;
    void* context;
  };
  uint32_t slot(uint32_t id) const { return (id * 0x9E3779B1u) >> shift_; }
  PROXY_WASM_ALWAYS_INLINE void remember(uint32_t id, void* context, uint32_t i) const {
    last_id_ = id;
    last_ = context;
    last_slot_ = i;
  }
  PROXY_WASM_ALWAYS_INLINE void forget() const {
    last_id_ = 0;
    last_ = nullptr;
  }
  __attribute__((noinline)) bool grow() {
    const uint32_t new_capacity = capacity_ ? capacity_ * 2 : 16;
    auto* fresh = static_cast<Slot*>(std::calloc(new_capacity, sizeof(Slot)));
    if (!fresh) return false;
    Slot* old = slots_;
    const uint32_t old_capacity = capacity_;
    slots_ = fresh;
    capacity_ = new_capacity;
    grow_at_ = new_capacity / 4 * 3;  // load factor 3/4
    shift_ = 32 - log2(new_capacity);
    size_ = 0;
    for (uint32_t i = 0; i < old_capacity; ++i)
      if (old[i].id != 0) insert(old[i].id, old[i].context);
    std::free(old);
    forget();
    return true;
  }
  static uint32_t log2(uint32_t v) {
    uint32_t r = 0;
    while (v > 1) {
      v >>= 1;
      ++r;
    }
    return r;
  }

  Slot* slots_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t size_ = 0;
  uint32_t grow_at_ = 0;  // size at which the table doubles
  uint32_t shift_ = 28;
  mutable uint32_t last_id_ = 0;
  mutable void* last_ = nullptr;
  mutable uint32_t last_slot_ = 0;
  mutable uint64_t probes_ = 0;
};

template <class T>
class IdMap : private IdMapBase {
 public:
  constexpr IdMap() = default;
  PROXY_WASM_ALWAYS_INLINE T* find(uint32_t id) const { return static_cast<T*>(IdMapBase::find(id)); }
  PROXY_WASM_ALWAYS_INLINE bool insert(uint32_t id, T* value, T** replaced = nullptr) {
    void* old = nullptr;
    const bool ok = IdMapBase::insert(id, value, &old);
    if (replaced) *replaced = static_cast<T*>(old);
    return ok;
  }
  PROXY_WASM_ALWAYS_INLINE T* erase(uint32_t id) { return static_cast<T*>(IdMapBase::erase(id)); }
  using IdMapBase::clear;
  using IdMapBase::probes;
  using IdMapBase::size;
  template <class Fn>
  void forEach(Fn&& fn) const {
    IdMapBase::forEach([&](uint32_t id, void* v) { fn(id, static_cast<T*>(v)); });
  }
};

}  // namespace detail
}  // namespace proxy_wasm

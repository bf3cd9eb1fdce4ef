// u32 id -> object map for the dispatcher (contexts by context id, callouts by token,
// timers by id): open addressing, no string hashing, no per-insert allocation (the table
// grows by doubling), O(1) expected per operation whatever the number of entries.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace proxy_wasm {
namespace detail {

// Untyped core (one copy of the code however many maps there are); IdMap<T> types it.
class IdMapBase {
 public:
  constexpr IdMapBase() = default;
  IdMapBase(const IdMapBase&) = delete;
  IdMapBase& operator=(const IdMapBase&) = delete;
  // No destructor: the dispatcher's maps live as long as the module (clear() frees).

  void* find(uint32_t id) const {
    if (id == last_id_ && id != 0) return last_;
    if (capacity_ == 0 || id == 0) return nullptr;
    for (uint32_t i = slot(id);; i = (i + 1) & (capacity_ - 1)) {
      ++probes_;
      if (slots_[i].id == id) {
        last_id_ = id;
        last_ = slots_[i].context;
        return last_;
      }
      if (slots_[i].id == 0) return nullptr;
    }
  }

  // Inserts or overwrites `id`, and makes it the cached last lookup (its first callback
  // follows). `*replaced` receives the context it overwrote, if any. Returns false only
  // when memory is exhausted.
  bool insert(uint32_t id, void* context, void** replaced = nullptr) {
    if ((size_ + 1) * 4 > capacity_ * 3 && !grow()) return false;
    uint32_t i = slot(id);
    while (slots_[i].id != 0 && slots_[i].id != id) {
      ++probes_;
      i = (i + 1) & (capacity_ - 1);
    }
    if (replaced) *replaced = slots_[i].id == id ? slots_[i].context : nullptr;
    if (slots_[i].id == 0) ++size_;
    slots_[i] = {id, context};
    last_id_ = id;
    last_ = context;
    return true;
  }

  // Removes `id` (backward-shift deletion keeps probe chains intact without tombstones).
  void* erase(uint32_t id) {
    if (capacity_ == 0 || id == 0) return nullptr;
    if (last_id_ == id) last_id_ = 0;
    const uint32_t mask = capacity_ - 1;
    uint32_t i = slot(id);
    while (slots_[i].id != id) {
      ++probes_;
      if (slots_[i].id == 0) return nullptr;
      i = (i + 1) & mask;
    }
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
    capacity_ = size_ = 0;
    shift_ = 28;
    last_id_ = 0;
    last_ = nullptr;
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
  bool grow() {
    const uint32_t new_capacity = capacity_ ? capacity_ * 2 : 16;
    auto* fresh = static_cast<Slot*>(std::calloc(new_capacity, sizeof(Slot)));
    if (!fresh) return false;
    Slot* old = slots_;
    const uint32_t old_capacity = capacity_;
    slots_ = fresh;
    capacity_ = new_capacity;
    shift_ = 32 - log2(new_capacity);
    size_ = 0;
    for (uint32_t i = 0; i < old_capacity; ++i)
      if (old[i].id != 0) insert(old[i].id, old[i].context);
    std::free(old);
    last_id_ = 0;
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
  uint32_t shift_ = 28;
  mutable uint32_t last_id_ = 0;
  mutable void* last_ = nullptr;
  mutable uint64_t probes_ = 0;
};

template <class T>
class IdMap : private IdMapBase {
 public:
  constexpr IdMap() = default;
  T* find(uint32_t id) const { return static_cast<T*>(IdMapBase::find(id)); }
  bool insert(uint32_t id, T* value, T** replaced = nullptr) {
    void* old = nullptr;
    const bool ok = IdMapBase::insert(id, value, &old);
    if (replaced) *replaced = static_cast<T*>(old);
    return ok;
  }
  T* erase(uint32_t id) { return static_cast<T*>(IdMapBase::erase(id)); }
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

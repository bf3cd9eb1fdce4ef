// The SDK's allocator for wasm32 plugins (proxy_wasm_add_plugin ALLOCATOR sdk, the default;
// or PROXY_WASM_ALLOCATOR_SDK in the unit that includes proxy_wasm/runtime.h). runtime.h
// defines malloc, free, calloc, realloc, aligned_alloc, posix_memalign and
// malloc_usable_size over one Heap<WasmMemory>; `malloc` is also what the
// proxy_on_memory_allocate export returns. See docs/configuration.md ("The allocator").
//
// A plugin's heap is small and repetitive (a context per request, header values the host
// hands over, small strings), so the design is a size-class allocator, not a general one:
//
//   - Every block has a 4-byte header right before it: its slot size S (a multiple of 16;
//     bit 0 set instead marks an over-aligned pointer inside a slot, holding the offset back
//     to the slot's own pointer). Pointers are 16-byte aligned, like malloc on wasm32.
//   - Small slots: S = 16, 32, ..., 32 KiB (a request of n bytes takes the smallest S >= n + 4).
//     A freed small slot goes on the free list of its size and is reused as is: no split,
//     no merge. malloc/free of a warm size is a list pop/push (a few instructions).
//   - Large slots: S a multiple of 64 KiB. Freed ones are kept in one address-ordered list,
//     merged with free neighbours, and given back to the unused end of memory when they
//     touch it; a large request takes the best fit of that list (splitting off whole pages)
//     before it takes fresh memory.
//   - Fresh memory: slots are cut one at a time from the end of the heap (first the memory
//     between __heap_base and the module's initial size, then memory.grow by as many pages as
//     the slot needs): linear memory grows only when no freed slot fits.
//
// The logic works on 32-bit linear-memory addresses through a Memory policy, so that the tests
// run it natively over a fake linear memory (tests/sdk/allocator_test.cc, tests/fuzz):
//   uint32_t heapBase()      first usable address (e.g. __heap_base)
//   uint32_t pages()         current memory size in 64 KiB pages
//   bool grow(uint32_t n)    adds n pages at the end of memory
//   unsigned char* at(uint32_t address), uint32_t address(const void*)
// Limits: memory never grows past 0xFFFF0000 (requests above ~4 GiB - 128 KiB fail);
// nothing is ever given back to the host (linear memory cannot shrink); freeing a pointer
// twice or one it did not return is undefined, as with any malloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace proxy_wasm::detail {

template <class Memory>
class Heap : public Memory {
 public:
  static constexpr uint32_t kPage = 65536;
  static constexpr uint32_t kClasses = 12;                       // small slots: 16 B .. 32 KiB
  static constexpr uint32_t kMaxSmall = 16u << (kClasses - 1);   // the largest small slot
  static constexpr uint32_t kLimit = 0xFFFF0000u;                // memory never grows past this
  static constexpr size_t kMaxRequest = kLimit - 2 * kPage;      // larger requests fail at once

  using Memory::Memory;

  void* allocate(size_t n) {
    if (n > kMaxRequest) return nullptr;
    const uint32_t need = static_cast<uint32_t>(n) + 4;  // the payload and its header
    if (need > kMaxSmall) return allocateLarge((need + kPage - 1) & ~(kPage - 1));
    const uint32_t c = 28 - __builtin_clz((need - 1) | 15);  // 16 << c >= need
    if (const uint32_t p = free_[c]) {
      free_[c] = load(p);
      return this->at(p);
    }
    return carve(16u << c);
  }

  void release(void* pointer) {
    if (!pointer) return;
    uint32_t a = this->address(pointer);
    uint32_t size = load(a - 4);
    if (size & 1) {  // an over-aligned pointer: the slot's own pointer is before it
      a -= size - 1;
      size = load(a - 4);
    }
    if (size <= kMaxSmall) {
      const uint32_t c = __builtin_ctz(size) - 4;
      store(a, free_[c]);
      free_[c] = a;
      return;
    }
    releaseLarge(a, size);
  }

  // The bytes usable at `pointer` (at least what was asked for).
  size_t usable(const void* pointer) {
    const uint32_t a = this->address(pointer);
    const uint32_t size = load(a - 4);
    if (size & 1) return load(a - size + 1 - 4) - 4 - (size - 1);
    return size - 4;
  }

  void* reallocate(void* pointer, size_t n) {
    if (!pointer) return allocate(n);
    if (n == 0) {  // frees, as wasi-libc's and Emscripten's dlmalloc do
      release(pointer);
      return nullptr;
    }
    const size_t have = usable(pointer);
    // In place when it fits: a small slot always, a large one while more than half is used.
    if (n <= have && (have < kMaxSmall || n > have / 2)) return pointer;
    void* fresh = allocate(n);
    if (!fresh) return nullptr;  // the old block is left as it was
    std::memcpy(fresh, pointer, n < have ? n : have);
    release(pointer);
    return fresh;
  }

  void* allocateZeroed(size_t count, size_t size) {
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) return nullptr;
    void* p = allocate(n);
    if (p) std::memset(p, 0, n);  // a reused slot holds old bytes
    return p;
  }

  // `alignment` a power of two (else null); up to 16 is every block's alignment.
  void* allocateAligned(size_t alignment, size_t n) {
    if (alignment <= 16) return allocate(n);
    if ((alignment & (alignment - 1)) || alignment > kMaxRequest || n > kMaxRequest - alignment) return nullptr;
    void* p = allocate(n + alignment);
    if (!p) return nullptr;
    const uint32_t a = this->address(p);
    const uint32_t q = (a + static_cast<uint32_t>(alignment) - 1) & ~static_cast<uint32_t>(alignment - 1);
    if (q == a) return p;
    store(q - 4, (q - a) | 1);  // q >= a + 16: the mark lies in the slot's own payload
    return this->at(q);
  }

 private:
  uint32_t load(uint32_t address) {
    uint32_t v;
    std::memcpy(&v, this->at(address), 4);
    return v;
  }
  void store(uint32_t address, uint32_t v) { std::memcpy(this->at(address), &v, 4); }

  // A fresh slot of `size` bytes from the end of the heap.
  void* carve(uint32_t size) {
    if (uint64_t{top_} - 4 + size > end_ && !refill(size)) return nullptr;
    const uint32_t p = top_;
    store(p - 4, size);
    top_ = p + size;
    return this->at(p);
  }

  // Makes [top_ - 4, top_ - 4 + size) part of memory.
  bool refill(uint32_t size) {
    const uint32_t end = this->pages() * kPage;
    if (end != end_) {  // the first call, or memory grown by someone else: start at its end
      top_ = ((end_ ? end : this->heapBase()) + 19) & ~15u;  // a header, then a 16-aligned payload
      end_ = end;
    }
    const uint64_t want = uint64_t{top_} - 4 + size;
    if (want <= end_) return true;
    if (want > kLimit) return false;
    const uint32_t pages = static_cast<uint32_t>((want - end_ + kPage - 1) / kPage);
    if (!this->grow(pages)) return false;
    end_ += pages * kPage;
    return true;
  }

  // The list of free large slots, by address: next(0) is its head.
  uint32_t next(uint32_t node) { return node ? load(node) : large_; }
  void setNext(uint32_t node, uint32_t v) {
    if (node) store(node, v);
    else large_ = v;
  }

  void* allocateLarge(uint32_t size) {
    uint32_t best_prev = 0, best = 0, best_size = 0;
    for (uint32_t prev = 0, a; (a = next(prev)) != 0; prev = a) {
      const uint32_t s = load(a - 4);
      if (s >= size && (!best || s < best_size)) {
        best_prev = prev;
        best = a;
        best_size = s;
      }
    }
    if (!best) return carve(size);
    uint32_t rest = load(best);
    if (best_size > size) {  // the tail stays free, at the same place in the address order
      const uint32_t tail = best + size;
      store(tail - 4, best_size - size);
      store(tail, rest);
      rest = tail;
      store(best - 4, size);
    }
    setNext(best_prev, rest);
    return this->at(best);
  }

  void releaseLarge(uint32_t a, uint32_t size) {
    uint32_t prev_prev = 0, prev = 0, after;
    while ((after = next(prev)) != 0 && after < a) {
      prev_prev = prev;
      prev = after;
    }
    if (a + size == after) {  // merge with the free slot after it
      size += load(after - 4);
      after = load(after);
    }
    if (prev && prev + load(prev - 4) == a) {  // and with the one before it
      size += load(prev - 4);
      a = prev;
      prev = prev_prev;
    }
    if (a + size == top_) {  // back to the unused end of the heap
      top_ = a;
      setNext(prev, after);
      return;
    }
    store(a - 4, size);
    store(a, after);
    setNext(prev, a);
  }

  uint32_t top_ = 0;  // where the next fresh slot's payload starts (its header is before it)
  uint32_t end_ = 0;  // the end of the memory the heap has seen (a multiple of kPage)
  uint32_t large_ = 0;
  uint32_t free_[kClasses] = {};
};

#if defined(__wasm__)
extern "C" unsigned char __heap_base;  // wasm-ld: the first address after the data and stack

// The module's own linear memory (memory 0).
struct WasmMemory {
  static uint32_t heapBase() { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&__heap_base)); }
  static uint32_t pages() { return static_cast<uint32_t>(__builtin_wasm_memory_size(0)); }
  static bool grow(uint32_t n) { return __builtin_wasm_memory_grow(0, n) != static_cast<size_t>(-1); }
  static unsigned char* at(uint32_t address) { return reinterpret_cast<unsigned char*>(uintptr_t{address}); }
  static uint32_t address(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }
};
#endif

}  // namespace proxy_wasm::detail

// libFuzzer target: the SDK's wasm32 allocator (proxy_wasm/detail/allocator.h) over a fake
// linear memory (tests/sdk/fake_linear_memory.h), driven by sequences of malloc, free,
// realloc, calloc and aligned allocations of small, large, edge and huge sizes. Oracles:
//   - a block is inside memory, aligned (16, or the alignment asked for), holds what was
//     asked for, and overlaps no live block (each live block's bytes are a pattern checked
//     before it is freed or reallocated, and every new block is compared with every live one);
//   - realloc keeps the bytes (up to the smaller size), and a failed one leaves the block as
//     it was; calloc's bytes are zero; requests no memory can hold return null;
//   - the same sequence played again after freeing everything grows no memory when it
//     asked only for small slots and nothing failed (freed slots are reused).
//
// Input: a byte stream of operations, each an opcode byte then its arguments (missing bytes
// read as zero). PROXY_WASM_FUZZ_TRACE=1 prints the operations.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../sdk/fake_linear_memory.h"

namespace {

using proxy_wasm::testing_memory::FakeHeap;
constexpr uint32_t kMaxPages = 96;  // 6 MiB: large requests can exhaust it
constexpr int kSlots = 48;

struct Reader {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  bool done() const { return at >= size; }
  uint8_t byte() { return at < size ? data[at++] : 0; }
  uint32_t u16() { return byte() | uint32_t{byte()} << 8; }
  uint32_t u32() { return u16() | u16() << 16; }
  // A request size: mostly small, sometimes up to a few large pages, sometimes an edge.
  size_t size_arg() {
    const uint8_t kind = byte();
    switch (kind % 8) {
      case 0: case 1: case 2: return byte();                     // 0..255
      case 3: case 4: return u16() % 33000;                      // up to just over the largest small slot
      case 5: return u16() * 8u;                                 // up to ~512 KiB
      case 6: {                                                  // around class and page boundaries
        static constexpr size_t kEdges[] = {12, 13, 28, 29, 60, 61, 32764, 32765, 65532, 65533, 131068, 131069};
        return kEdges[byte() % (sizeof kEdges / sizeof kEdges[0])];
      }
      default: {                                                 // never fits
        static constexpr size_t kHuge[] = {SIZE_MAX, SIZE_MAX - 3, 0xFFFFFFFFu, 0xFFFFFFFCu, 0xFFFF0000u,
                                           FakeHeap::kMaxRequest, FakeHeap::kMaxRequest + 1, 0x80000000u};
        return kHuge[byte() % (sizeof kHuge / sizeof kHuge[0])];
      }
    }
  }
};

struct Live {
  unsigned char* p = nullptr;
  size_t n = 0;
  uint8_t seed = 0;
};

bool trace() {
  static const bool on = std::getenv("PROXY_WASM_FUZZ_TRACE") != nullptr;
  return on;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "allocator_fuzz: %s\n", what);
  std::abort();
}

// A block's pattern covers its first and last kEdge bytes (all of a small block): overlaps
// are also checked address by address in adopt(), so large blocks need not be filled whole.
constexpr size_t kEdge = 256;
uint8_t patternAt(uint8_t seed, size_t i) { return static_cast<uint8_t>(seed + i * 7); }
template <class F>
void forPattern(size_t n, F f) {
  for (size_t i = 0; i < n && i < kEdge; ++i) f(i);
  for (size_t i = n > 2 * kEdge ? n - kEdge : kEdge; i < n; ++i) f(i);
}
void fillBlock(const Live& b) {
  forPattern(b.n, [&](size_t i) { b.p[i] = patternAt(b.seed, i); });
}
void checkBlock(const Live& b) {
  forPattern(b.n, [&](size_t i) {
    if (b.p[i] != patternAt(b.seed, i)) fail("a live block's bytes changed (overlap)");
  });
}

struct Run {
  FakeHeap& heap;
  Live live[kSlots];
  bool failed_or_large = false;
  uint8_t next_seed = 1;

  // A fresh block from the allocator: checked against memory and every live block.
  void adopt(int slot, void* p, size_t n, size_t alignment) {
    auto* b = static_cast<unsigned char*>(p);
    if (heap.address(b) % alignment) fail("misaligned block");
    if (!heap.contains(b, n)) fail("block outside memory");
    if (heap.usable(b) < n) fail("usable size below the request");
    for (const Live& o : live)
      if (o.p && o.p != b && b < o.p + (o.n ? o.n : 1) && o.p < b + (n ? n : 1)) fail("two live blocks overlap");
    live[slot] = {b, n, next_seed++};
    fillBlock(live[slot]);
  }

  void release(int slot) {
    if (!live[slot].p) return;
    checkBlock(live[slot]);
    heap.release(live[slot].p);
    live[slot] = {};
  }

  void play(Reader in) {
    while (!in.done()) {
      const uint8_t op = in.byte();
      const int slot = in.byte() % kSlots;
      switch (op % 6) {
        case 0: case 1: {  // malloc
          const size_t n = in.size_arg();
          release(slot);
          void* p = heap.allocate(n);
          if (trace()) std::fprintf(stderr, "malloc(%zu) -> %p [slot %d]\n", n, p, slot);
          note(n, p);
          if (p) adopt(slot, p, n, 16);
          break;
        }
        case 2:  // free
          if (trace()) std::fprintf(stderr, "free [slot %d]\n", slot);
          release(slot);
          break;
        case 3: {  // realloc
          const size_t n = in.size_arg();
          Live old = live[slot];
          if (old.p) checkBlock(old);
          void* p = heap.reallocate(old.p, n);
          if (trace()) std::fprintf(stderr, "realloc(%p, %zu) -> %p [slot %d]\n", (void*)old.p, n, p, slot);
          if (old.p && n == 0) {  // freed
            if (p) fail("realloc(p, 0) returned a block");
            live[slot] = {};
            break;
          }
          note(n, p);
          if (!p) {
            if (old.p) checkBlock(old);  // a failed realloc leaves the block as it was
            break;
          }
          // The kept bytes, then the block as a new one.
          const size_t kept = old.n < n ? old.n : n;
          forPattern(old.n, [&](size_t i) {
            if (i < kept && static_cast<unsigned char*>(p)[i] != patternAt(old.seed, i)) fail("realloc lost bytes");
          });
          live[slot] = {};
          adopt(slot, p, n, 16);
          break;
        }
        case 4: {  // calloc
          const size_t count = in.byte() % 2 ? in.size_arg() : in.byte();
          const size_t size = in.byte() % 2 ? in.size_arg() : in.byte();
          release(slot);
          void* p = heap.allocateZeroed(count, size);
          if (trace()) std::fprintf(stderr, "calloc(%zu, %zu) -> %p [slot %d]\n", count, size, p, slot);
          size_t n;
          const bool overflow = __builtin_mul_overflow(count, size, &n);
          if (overflow && p) fail("calloc overflow returned a block");
          if (overflow) break;
          note(n, p);
          if (!p) break;
          forPattern(n, [&](size_t i) {
            if (static_cast<unsigned char*>(p)[i]) fail("calloc bytes not zero");
          });
          adopt(slot, p, n, 16);
          break;
        }
        default: {  // aligned_alloc
          const size_t alignment = size_t{1} << (in.byte() % 18);  // 1 .. 128 KiB
          const size_t n = in.size_arg();
          release(slot);
          void* p = heap.allocateAligned(alignment, n);
          if (trace()) std::fprintf(stderr, "aligned_alloc(%zu, %zu) -> %p [slot %d]\n", alignment, n, p, slot);
          note(n + (alignment > 16 ? alignment : 0), p);
          if (p) adopt(slot, p, n, alignment > 16 ? alignment : 16);
          break;
        }
      }
    }
  }

  void note(size_t n, void* p) {
    if (n > FakeHeap::kMaxRequest) {
      if (p) fail("a request beyond any memory returned a block");
      failed_or_large = true;
      return;
    }
    if (!p || n + 4 > FakeHeap::kMaxSmall) failed_or_large = true;
  }

  void releaseAll() {
    for (int i = 0; i < kSlots; ++i) release(i);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One reserved memory for every input (each starts with 2 pages and a fresh heap; the
  // allocator never assumes fresh memory is zero).
  static unsigned char* const memory = static_cast<unsigned char*>(std::calloc(kMaxPages, FakeHeap::kPage));
  FakeHeap heap(memory, kMaxPages, 2, 65536 + (size ? data[0] : 0));  // the heap base moves too
  Run first{heap};
  first.play({data, size});
  first.releaseAll();
  const uint32_t pages = heap.pages();
  Run again{heap};
  again.play({data, size});
  again.releaseAll();
  if (!first.failed_or_large && heap.pages() != pages) fail("the same small-slot sequence grew memory again");
  return 0;
}

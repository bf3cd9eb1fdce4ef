// The SDK's wasm32 allocator (proxy_wasm/detail/allocator.h), natively over a fake linear
// memory: alignment, reuse, realloc, calloc, overflow and huge sizes, large slots (best fit,
// merging, the end of the heap), over-aligned blocks, growth and exhaustion. Under the
// sanitize preset ASan checks every access stays inside the fake memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "fake_linear_memory.h"

using proxy_wasm::testing_memory::FakeHeap;

namespace {

constexpr uint32_t kPage = 65536;

// Alignment is of the linear-memory address (the fake memory's buffer is only 16-aligned).
#define ALIGNED(heap, p, a) ((heap).address(p) % (a) == 0)

struct Block {
  unsigned char* p;
  size_t n;
  unsigned char fill;
};

void fill(const Block& b) { std::memset(b.p, b.fill, b.n); }
bool intact(const Block& b) {
  for (size_t i = 0; i < b.n; ++i)
    if (b.p[i] != b.fill) return false;
  return true;
}

}  // namespace

TEST_CASE("every block is 16-byte aligned, inside memory, and holds what was asked") {
  FakeHeap heap;
  std::vector<Block> blocks;
  for (size_t n : {0, 1, 3, 11, 12, 13, 16, 17, 28, 29, 60, 61, 100, 1000, 4096, 32764, 32765, 65536, 200000}) {
    auto* p = static_cast<unsigned char*>(heap.allocate(n));
    REQUIRE(p);
    CHECK(ALIGNED(heap, p, 16));
    CHECK(heap.contains(p, n));
    CHECK(heap.usable(p) >= n);
    blocks.push_back({p, n, static_cast<unsigned char>(blocks.size() + 1)});
    fill(blocks.back());
  }
  for (const Block& b : blocks) CHECK(intact(b));  // no two blocks overlap
  for (const Block& b : blocks) heap.release(b.p);
}

TEST_CASE("free(nullptr) does nothing; malloc(0) is a unique block") {
  FakeHeap heap;
  heap.release(nullptr);
  void* a = heap.allocate(0);
  void* b = heap.allocate(0);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a != b);
  CHECK(heap.usable(a) == 12);
}

TEST_CASE("the first blocks come from the initial memory; a warm size is reused, memory stays flat") {
  FakeHeap heap;  // 2 pages, the heap from 65536 + 1000
  void* first = heap.allocate(40);
  CHECK(heap.growCalls() == 0);
  CHECK(heap.address(first) >= heap.heapBase() + 4);
  CHECK(heap.address(first) < heap.heapBase() + 20);
  heap.release(first);
  // The per-request pattern: a context object, a header value, a small string.
  void* warm[3] = {heap.allocate(96), heap.allocate(23), heap.allocate(40)};
  for (void* p : warm) heap.release(p);
  const uint32_t pages = heap.pages();
  for (int i = 0; i < 100000; ++i) {
    void* ctx = heap.allocate(96);
    void* value = heap.allocate(23);
    void* s = heap.allocate(40);
    CHECK(ctx == warm[0]);  // one block per size class, the same every time
    CHECK(value == warm[1]);
    CHECK(s == warm[2]);
    heap.release(value);
    heap.release(s);
    heap.release(ctx);
  }
  CHECK(heap.pages() == pages);
  CHECK(heap.growCalls() == 0);
  // Same size class, same block (last freed, first reused).
  void* a = heap.allocate(100);
  heap.release(a);
  CHECK(heap.allocate(90) == a);
}

TEST_CASE("many sizes in random order: no overlap, and a second round grows nothing") {
  FakeHeap heap;
  std::mt19937 rng(7);
  std::vector<size_t> sizes;
  uint32_t pages_after_first = 0;
  for (int i = 0; i < 3000; ++i) {
    const int kind = int(rng() % 10);
    sizes.push_back(kind < 7 ? rng() % 256 : kind < 9 ? rng() % 8192 : rng() % 32000);
  }
  for (int round = 0; round < 3; ++round) {
    std::mt19937 order(11);  // the same frees each round
    std::vector<Block> live;
    for (size_t i = 0; i < sizes.size(); ++i) {
      auto* p = static_cast<unsigned char*>(heap.allocate(sizes[i]));
      REQUIRE(p);
      REQUIRE(ALIGNED(heap, p, 16));
      live.push_back({p, sizes[i], static_cast<unsigned char>(i * 31 + 1)});
      fill(live.back());
      if (order() % 3 == 0) {  // free a random live block
        const size_t k = order() % live.size();
        REQUIRE(intact(live[k]));
        heap.release(live[k].p);
        live.erase(live.begin() + long(k));
      }
    }
    for (const Block& b : live) REQUIRE(intact(b));
    std::shuffle(live.begin(), live.end(), rng);
    for (const Block& b : live) heap.release(b.p);
    if (round == 0) pages_after_first = heap.pages();
    else CHECK(heap.pages() == pages_after_first);  // the same sequence again: every slot reused
  }
}

TEST_CASE("realloc: null, growth copies, shrink in place, zero frees, failure keeps the block") {
  FakeHeap heap(64);
  CHECK(heap.reallocate(nullptr, 0) != nullptr);
  auto* p = static_cast<unsigned char*>(heap.reallocate(nullptr, 10));
  REQUIRE(p);
  std::memcpy(p, "0123456789", 10);
  // Within its slot (16 bytes: 12 usable): in place.
  CHECK(heap.reallocate(p, 12) == p);
  CHECK(heap.reallocate(p, 3) == p);
  // Growth: a new block with the old bytes.
  auto* q = static_cast<unsigned char*>(heap.reallocate(p, 1000));
  REQUIRE(q);
  CHECK(q != p);
  CHECK(std::memcmp(q, "0123456789", 10) == 0);
  CHECK(heap.allocate(5) == p);  // the old slot was freed
  // Large, shrunk by less than half: in place; by more: moved, prefix kept.
  auto* big = static_cast<unsigned char*>(heap.reallocate(q, 300000));
  REQUIRE(big);
  CHECK(std::memcmp(big, "0123456789", 10) == 0);
  for (size_t i = 10; i < 300000; ++i) big[i] = static_cast<unsigned char>(i);
  CHECK(heap.reallocate(big, 200000) == big);
  auto* small = static_cast<unsigned char*>(heap.reallocate(big, 100));
  REQUIRE(small);
  CHECK(small != big);
  CHECK(std::memcmp(small, "0123456789", 10) == 0);
  for (size_t i = 10; i < 100; ++i) CHECK(small[i] == static_cast<unsigned char>(i));
  // Failure (more than memory can hold): null, the old block untouched.
  CHECK(heap.reallocate(small, size_t{64} * kPage) == nullptr);
  CHECK(std::memcmp(small, "0123456789", 10) == 0);
  CHECK(heap.usable(small) >= 100);
  // Zero bytes: frees (wasi-libc's and Emscripten's dlmalloc do the same) and returns null.
  CHECK(heap.reallocate(small, 0) == nullptr);
  CHECK(heap.allocate(100) == small);
}

TEST_CASE("calloc zeroes reused memory and refuses count * size overflows") {
  FakeHeap heap;
  auto* p = static_cast<unsigned char*>(heap.allocate(64));
  std::memset(p, 0xAB, 64);
  heap.release(p);
  auto* z = static_cast<unsigned char*>(heap.allocateZeroed(8, 8));
  REQUIRE(z == p);
  for (int i = 0; i < 64; ++i) CHECK(z[i] == 0);
  CHECK(heap.allocateZeroed(0, 100) != nullptr);
  CHECK(heap.allocateZeroed(SIZE_MAX / 2 + 1, 2) == nullptr);
  CHECK(heap.allocateZeroed(SIZE_MAX, SIZE_MAX) == nullptr);
  CHECK(heap.allocateZeroed(size_t{1} << 16, size_t{1} << 16) == nullptr);  // 4 GiB
  CHECK(heap.growCalls() == 0);
}

TEST_CASE("huge requests fail without growing memory and without wrapping around") {
  FakeHeap heap;
  for (size_t n : {SIZE_MAX, SIZE_MAX - 3, SIZE_MAX - 65535, size_t{0xFFFFFFFF}, size_t{0xFFFFFFFC}, size_t{0xFFFF0000},
                   FakeHeap::kMaxRequest + 1}) {
    CAPTURE(n);
    CHECK(heap.allocate(n) == nullptr);
    CHECK(heap.reallocate(heap.allocate(1), n) == nullptr);
    CHECK(heap.allocateAligned(64, n) == nullptr);
  }
  CHECK(heap.growCalls() == 0);
  // The largest request passes the size checks and fails only at memory.grow.
  CHECK(heap.allocate(FakeHeap::kMaxRequest) == nullptr);
  CHECK(heap.pages() == 2);
  CHECK(heap.allocate(100) != nullptr);  // still usable
}

TEST_CASE("large blocks: whole pages, reused, best fit with the tail kept, merged, back to the top") {
  FakeHeap heap(256);
  SUBCASE("freed and asked again: the same block, no growth") {
    void* a = heap.allocate(100000);  // 2 pages
    const uint32_t pages = heap.pages();
    heap.release(a);
    CHECK(heap.allocate(120000) == a);
    CHECK(heap.pages() == pages);
  }
  SUBCASE("best fit, and the split-off tail serves the next request") {
    void* a = heap.allocate(4 * kPage - 4);  // exactly 4 pages
    void* fence = heap.allocate(16);        // keeps `a` away from the end of the heap
    heap.release(a);
    const uint32_t pages = heap.pages();
    void* b = heap.allocate(kPage - 4);  // one page, at a's start
    CHECK(b == a);
    void* c = heap.allocate(3 * kPage - 100);  // the three-page tail
    CHECK(heap.address(c) == heap.address(a) + kPage);
    CHECK(heap.pages() == pages);
    heap.release(b);
    heap.release(c);
    heap.release(fence);
  }
  SUBCASE("neighbours merge: two freed blocks serve one request of both sizes") {
    void* a = heap.allocate(2 * kPage - 4);
    void* b = heap.allocate(2 * kPage - 4);
    void* fence = heap.allocate(16);
    heap.release(a);
    heap.release(b);
    const uint32_t pages = heap.pages();
    CHECK(heap.allocate(4 * kPage - 4) == a);
    CHECK(heap.pages() == pages);
    heap.release(fence);
  }
  SUBCASE("merging with the block before, then the one after") {
    void* a = heap.allocate(kPage - 4);
    void* b = heap.allocate(kPage - 4);
    void* c = heap.allocate(kPage - 4);
    void* fence = heap.allocate(16);
    heap.release(a);
    heap.release(c);
    heap.release(b);  // joins both
    const uint32_t pages = heap.pages();
    CHECK(heap.allocate(3 * kPage - 4) == a);
    CHECK(heap.pages() == pages);
    heap.release(fence);
  }
  SUBCASE("a block at the end of the heap goes back to it: small blocks reuse its memory") {
    void* a = heap.allocate(5 * kPage);
    const uint32_t pages = heap.pages();
    heap.release(a);
    void* s = heap.allocate(1000);
    CHECK(s == a);
    for (int i = 0; i < 100; ++i) CHECK(heap.allocate(1000) != nullptr);
    CHECK(heap.pages() == pages);
  }
  SUBCASE("the request/response body pattern: memory flat after a warm-up") {
    // Small slots carved between bodies fence them off until every size class is warm;
    // from then on a body reuses a freed one or the end of the heap.
    std::mt19937 rng(3);
    auto round = [&] {
      void* headers = heap.allocate(rng() % 200);
      void* body = heap.allocate(40000 + rng() % 400000);
      void* copy = heap.allocate(rng() % 2000);
      REQUIRE(body);
      heap.release(body);
      heap.release(copy);
      heap.release(headers);
    };
    for (int i = 0; i < 200; ++i) round();
    const uint32_t settled = heap.pages();
    MESSAGE("body pattern: ", settled, " pages after the warm-up");
    for (int i = 0; i < 5000; ++i) round();
    CHECK(heap.pages() == settled);
  }
}

TEST_CASE("over-aligned blocks: aligned, usable, freed through the inner pointer") {
  FakeHeap heap;
  for (size_t alignment : {32, 64, 128, 4096, 65536}) {
    CAPTURE(alignment);
    for (size_t n : {1, 100, 5000, 70000}) {
      auto* p = static_cast<unsigned char*>(heap.allocateAligned(alignment, n));
      REQUIRE(p);
      CHECK(ALIGNED(heap, p, alignment));
      CHECK(heap.usable(p) >= n);
      CHECK(heap.contains(p, heap.usable(p)));
      std::memset(p, 0x5A, heap.usable(p));
      void* other = heap.allocate(n);  // does not overlap
      CHECK((static_cast<unsigned char*>(other) >= p + heap.usable(p) ||
             static_cast<unsigned char*>(other) + n <= p));
      heap.release(other);
      // realloc from an inner pointer keeps the bytes
      auto* r = static_cast<unsigned char*>(heap.reallocate(p, n + 100000));
      REQUIRE(r);
      for (size_t i = 0; i < n; ++i) REQUIRE(r[i] == 0x5A);
      heap.release(r);
    }
  }
  CHECK(heap.allocateAligned(16, 10) != nullptr);
  CHECK(heap.allocateAligned(1, 10) != nullptr);
  CHECK(heap.allocateAligned(48, 10) == nullptr);  // not a power of two
  CHECK(heap.allocateAligned(size_t{1} << 40, 10) == nullptr);
  // A block freed through its inner pointer is reused whole.
  void* p = heap.allocateAligned(64, 40);  // a 128-byte slot
  heap.release(p);
  void* q = heap.allocate(100);
  CHECK(heap.address(q) <= heap.address(p));
  CHECK(heap.address(q) + 64 > heap.address(p));
}

TEST_CASE("memory grown by someone else: the heap continues after it") {
  FakeHeap heap(64);
  void* a = heap.allocate(1000);
  REQUIRE(a);
  void* filler = heap.allocate(60000);  // the rest of the initial memory, then a grow
  REQUIRE(filler);
  heap.growBehindTheHeap(1);
  const uint32_t foreign_end = heap.pages() * kPage;
  auto* b = static_cast<unsigned char*>(heap.allocate(70000));
  REQUIRE(b);
  CHECK(ALIGNED(heap, b, 16));
  CHECK(heap.address(b) >= foreign_end);  // not inside the foreign page
  CHECK(heap.contains(b, 70000));
}

TEST_CASE("exhaustion: null when memory is full, then everything is usable again") {
  FakeHeap heap(8);  // 8 pages: 6 for the heap
  std::vector<void*> blocks;
  while (void* p = heap.allocate(1000)) blocks.push_back(p);
  CHECK(heap.pages() == 8);
  CHECK(blocks.size() > 300);
  CHECK(heap.allocate(100000) == nullptr);
  for (void* p : blocks) heap.release(p);
  for (size_t i = 0; i < blocks.size(); ++i) CHECK(heap.allocate(1000) != nullptr);
  CHECK(heap.pages() == 8);
}

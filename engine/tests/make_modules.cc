// Writes the engine's test modules into DIR: <shape>.wasm for every SDK shape
// (sdk_shapes/shapes.h), <name>.wasm for each given .wat file, and two broken files
// (empty.wasm, truncated.wasm).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sdk_shapes/shapes.h"
#include "wat.h"

namespace {

bool write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) std::fprintf(stderr, "make_test_modules: cannot write %s\n", path.c_str());
  return bool(out);
}

bool assemble(const std::string& name, const std::string& wat, std::vector<uint8_t>* bytes) {
  std::string error;
  if (proxy_wasm::engine::testing::watToWasm(wat, bytes, &error)) return true;
  std::fprintf(stderr, "make_test_modules: %s: %s\n", name.c_str(), error.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_test_modules DIR [MODULE.wat...]\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::filesystem::create_directories(dir);
  std::vector<uint8_t> bytes;
  for (const std::string& shape : proxy_wasm::engine::testing::sdkShapes()) {
    if (!assemble(shape, proxy_wasm::engine::testing::sdkShapeWat(shape), &bytes)) return 1;
    if (!write(dir + "/" + shape + ".wasm", bytes)) return 1;
  }
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::fprintf(stderr, "make_test_modules: cannot read %s\n", argv[i]);
      return 1;
    }
    if (!assemble(argv[i], text.str(), &bytes)) return 1;
    if (!write(dir + "/" + std::filesystem::path(argv[i]).stem().string() + ".wasm", bytes)) return 1;
  }
  // A module cut short inside its first section, and an empty file.
  if (!assemble("loop_start", "(module (memory 1) (func (export \"f\")))", &bytes)) return 1;
  bytes.resize(12);
  if (!write(dir + "/truncated.wasm", bytes) || !write(dir + "/empty.wasm", {})) return 1;
  return 0;
}

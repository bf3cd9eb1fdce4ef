// WAT -> wasm for the engine tests (what wat2wasm does: parse, validate, write).
#include "wat.h"

#include "wabt/binary-writer.h"
#include "wabt/error-formatter.h"
#include "wabt/ir.h"
#include "wabt/stream.h"
#include "wabt/validator.h"
#include "wabt/wast-lexer.h"
#include "wabt/wast-parser.h"

namespace proxy_wasm::engine::testing {

bool watToWasm(std::string_view wat, std::vector<uint8_t>* out, std::string* error) {
  wabt::Errors errors;
  wabt::Features features;
  auto lexer = wabt::WastLexer::CreateBufferLexer("test.wat", wat.data(), wat.size(), &errors);
  std::unique_ptr<wabt::Module> module;
  wabt::WastParseOptions parse_options(features);
  bool ok = wabt::Succeeded(wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options));
  if (ok) ok = wabt::Succeeded(wabt::ValidateModule(module.get(), &errors, wabt::ValidateOptions(features)));
  if (ok) {
    wabt::MemoryStream stream;
    wabt::WriteBinaryOptions write_options;
    write_options.features = features;
    ok = wabt::Succeeded(wabt::WriteBinaryModule(&stream, module.get(), write_options));
    if (ok) *out = stream.output_buffer().data;
  }
  if (!ok && error) *error = wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
  return ok;
}

}  // namespace proxy_wasm::engine::testing

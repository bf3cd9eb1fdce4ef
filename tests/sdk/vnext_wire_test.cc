// The vNEXT draft's wire shape as include/proxy_wasm/abi/vnext.h lists it, against the
// draft's text (fc772fa, with f1b5253's iovec maps and kvstore calls and cc53262's gRPC
// names): every import and export with its wasm signature, every enum value, and each
// import's results. The expected values are written here from the draft, so a slip in the
// lists (one parameter too many, a 0-based enum) fails this test.
#include <doctest/doctest.h>

#include <proxy_wasm/abi/v0_2_1.h>
#include <proxy_wasm/abi/vnext.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace {

using namespace proxy_wasm::vnext::wire;

// The wasm signature of a parameter list as the list spells it, "(uint32_t a, const char* b)",
// on wasm32: pointers, size_t and 32-bit integers are i32 ("i"), 64-bit integers i64 ("I").
// Read from the text because natively size_t and uint64_t are one type.
std::string wasmParams(std::string list) {
  list = list.substr(1, list.size() - 2);  // the parentheses
  std::string out;
  size_t at = 0;
  while (at < list.size()) {
    size_t comma = list.find(',', at);
    if (comma == std::string::npos) comma = list.size();
    std::string param = list.substr(at, comma - at);
    param.erase(0, param.find_first_not_of(' '));
    if (!param.empty()) {
      const bool pointer = param.find('*') != std::string::npos;
      const bool wide = param.rfind("uint64_t", 0) == 0 || param.rfind("int64_t", 0) == 0;
      out += !pointer && wide ? 'I' : 'i';
    }
    at = comma + 1;
  }
  return out;
}
bool hasPointer(const std::string& list) { return list.find('*') != std::string::npos; }

struct Import {
  std::string signature;
  bool pointers;
  uint32_t results;
};
std::map<std::string, Import> imports() {
  std::map<std::string, Import> out;
#define PROXY_WASM_TEST_IMPORT(name, params, args, statuses) \
  out[#name] = Import{wasmParams(#params) + ":i", hasPointer(#params), uint32_t(statuses)};
  PROXY_WASM_ABI_VNEXT_IMPORTS(PROXY_WASM_TEST_IMPORT)
#undef PROXY_WASM_TEST_IMPORT
  return out;
}

// The exports' signatures, from a function type made of the list's parameters.
std::map<std::string, std::string> exports() {
  std::map<std::string, std::string> out;
#define PROXY_WASM_TEST_EXPORT(name, result, params, args) \
  out[#name] = wasmParams(#params) + ":" + (std::string(#result) == "void" ? "-" : "i");
  PROXY_WASM_ABI_VNEXT_EXPORTS(PROXY_WASM_TEST_EXPORT)
#undef PROXY_WASM_TEST_EXPORT
  return out;
}

}  // namespace

TEST_CASE("vNEXT: every host function of the draft, with its wasm signature") {
  // fc772fa's set with f1b5253's two map calls (instead of proxy_get_map, proxy_set_map,
  // proxy_get_map_values(key), proxy_set/add_map_key_values, proxy_remove_map_key) and
  // 6-parameter kvstore set/add, cc53262's gRPC parameter names (same shapes).
  const std::map<std::string, std::string> expected = {
      {"proxy_log", "iii:i"},
      {"proxy_set_effective_context", "i:i"},
      {"proxy_context_finalize", ":i"},
      {"proxy_resume_stream", "i:i"},
      {"proxy_close_stream", "i:i"},
      {"proxy_resume_http_stream", "i:i"},
      {"proxy_close_http_stream", "i:i"},
      {"proxy_send_http_response", "iiiiiiii:i"},
      {"proxy_get_buffer", "iiiii:i"},
      {"proxy_set_buffer", "iiiii:i"},
      {"proxy_get_map_values", "iiiii:i"},
      {"proxy_set_map_values", "iiiii:i"},
      {"proxy_open_shared_kvstore", "iiii:i"},
      {"proxy_get_shared_kvstore_key_values", "iiiiii:i"},
      {"proxy_set_shared_kvstore_key_values", "iiiiii:i"},
      {"proxy_add_shared_kvstore_key_values", "iiiiii:i"},
      {"proxy_remove_shared_kvstore_key", "iiii:i"},
      {"proxy_delete_shared_kvstore", "i:i"},
      {"proxy_open_shared_queue", "iiii:i"},
      {"proxy_dequeue_shared_queue_item", "iii:i"},
      {"proxy_enqueue_shared_queue_item", "iii:i"},
      {"proxy_delete_shared_queue", "i:i"},
      {"proxy_create_timer", "iii:i"},
      {"proxy_delete_timer", "i:i"},
      {"proxy_create_metric", "iiii:i"},
      {"proxy_get_metric_value", "ii:i"},
      {"proxy_set_metric_value", "iI:i"},
      {"proxy_increment_metric_value", "iI:i"},
      {"proxy_delete_metric", "i:i"},
      {"proxy_dispatch_http_call", "iiiiiiiiii:i"},
      {"proxy_dispatch_grpc_call", "iiiiiiiiiiii:i"},
      {"proxy_open_grpc_stream", "iiiiiiiii:i"},
      {"proxy_send_grpc_stream_message", "iii:i"},
      {"proxy_cancel_grpc_call", "i:i"},
      {"proxy_close_grpc_call", "i:i"},
      {"proxy_call_custom_function", "iiiii:i"},
  };
  const auto listed = imports();
  CHECK(listed.size() == 36);
  for (const auto& [name, sig] : expected) {
    CAPTURE(name);
    REQUIRE(listed.count(name) == 1);
    CHECK(listed.at(name).signature == sig);
  }
  for (const auto& [name, imp] : listed) {
    CAPTURE(name);
    CHECK(expected.count(name) == 1);  // nothing the draft does not have
  }
}

TEST_CASE("vNEXT: every callback of the draft, with its wasm signature") {
  const std::map<std::string, std::string> expected = {
      {"proxy_on_memory_allocate", "i:i"},
      {"proxy_on_context_create", "iii:i"},  // id, parent, proxy_context_type_t -> new id (0: keep)
      {"proxy_on_context_finalize", "i:i"},  // -> is_done
      {"proxy_on_vm_start", "ii:i"},
      {"proxy_on_plugin_start", "ii:i"},
      {"proxy_on_new_connection", "i:i"},
      {"proxy_on_downstream_data", "iii:i"},
      {"proxy_on_downstream_close", "ii:-"},
      {"proxy_on_upstream_data", "iii:i"},
      {"proxy_on_upstream_close", "ii:-"},
      {"proxy_on_http_request_headers", "iii:i"},
      {"proxy_on_http_request_body", "iii:i"},
      {"proxy_on_http_request_trailers", "iii:i"},  // unlike v0.2.1, with end_of_stream
      {"proxy_on_http_request_metadata", "ii:i"},
      {"proxy_on_http_response_headers", "iii:i"},
      {"proxy_on_http_response_body", "iii:i"},
      {"proxy_on_http_response_trailers", "iii:i"},
      {"proxy_on_http_response_metadata", "ii:i"},
      {"proxy_on_queue_ready", "i:-"},  // no context id
      {"proxy_on_timer_ready", "i:-"},
      {"proxy_on_http_call_response", "iiii:-"},  // no root id first
      {"proxy_on_grpc_call_response_header_metadata", "ii:-"},
      {"proxy_on_grpc_call_response_message", "ii:-"},
      {"proxy_on_grpc_call_response_trailer_metadata", "ii:-"},
      {"proxy_on_grpc_call_close", "ii:-"},
      {"proxy_on_custom_callback", "ii:i"},
  };
  const auto listed = exports();
  CHECK(listed.size() == expected.size());
  for (const auto& [name, sig] : expected) {
    CAPTURE(name);
    REQUIRE(listed.count(name) == 1);
    CHECK(listed.at(name) == sig);
  }
}

TEST_CASE("vNEXT: the draft's enums are 1-based where v0.2.1's are 0-based") {
  // proxy_result_t
  CHECK(kOk == 0);
  CHECK(kEmpty == 1);
  CHECK(kNotFound == 2);
  CHECK(kNotAllowed == 3);
  CHECK(kBadArgument == 4);
  CHECK(kInvalidMemoryAccess == 5);
  CHECK(kInvalidOperation == 6);
  CHECK(kCompareAndSwapMismatch == 7);
  // proxy_action_t (0 undefined)
  CHECK(kContinue == 1);
  CHECK(kEndStream == 2);
  CHECK(kDone == 3);
  CHECK(kPause == 4);
  CHECK(kWaitForMoreData == 5);
  CHECK(kWaitForEndOrFull == 6);
  CHECK(kClose == 7);
  // proxy_log_level_t (no Critical)
  CHECK(kTrace == 1);
  CHECK(kDebug == 2);
  CHECK(kInfo == 3);
  CHECK(kWarning == 4);
  CHECK(kError == 5);
  CHECK(kMaxLogLevel == 5);
  // proxy_context_type_t
  CHECK(kVmContext == 1);
  CHECK(kPluginContext == 2);
  CHECK(kStreamContext == 3);
  CHECK(kHttpContext == 4);
  // proxy_stream_type_t
  CHECK(kDownstream == 1);
  CHECK(kUpstream == 2);
  CHECK(kHttpRequest == 3);
  CHECK(kHttpResponse == 4);
  // proxy_close_source_type_t
  CHECK(kLocal == 1);
  CHECK(kRemote == 2);
  // proxy_buffer_type_t
  CHECK(kVmConfiguration == 1);
  CHECK(kPluginConfiguration == 2);
  CHECK(kDownstreamData == 3);
  CHECK(kUpstreamData == 4);
  CHECK(kHttpRequestBody == 5);
  CHECK(kHttpResponseBody == 6);
  CHECK(kHttpCalloutResponseBody == 7);
  CHECK(kMaxBufferType == 7);
  // proxy_map_type_t
  CHECK(kHttpRequestHeaders == 1);
  CHECK(kHttpRequestTrailers == 2);
  CHECK(kHttpRequestMetadata == 3);
  CHECK(kHttpResponseHeaders == 4);
  CHECK(kHttpResponseTrailers == 5);
  CHECK(kHttpResponseMetadata == 6);
  CHECK(kHttpCallResponseHeaders == 7);
  CHECK(kHttpCallResponseTrailers == 8);
  CHECK(kHttpCallResponseMetadata == 9);
  CHECK(kMaxMapType == 9);
  // proxy_metric_type_t
  CHECK(kCounter == 1);
  CHECK(kGauge == 2);
  CHECK(kHistogram == 3);
  CHECK(kMaxMetricType == 3);
}

TEST_CASE("vNEXT: what each host function may return, as the draft says") {
  const auto listed = imports();
  auto results = [&](const char* name) {
    REQUIRE(listed.count(name) == 1);
    return listed.at(name).results;
  };
  // Every function may succeed; those with pointers or sizes answer InvalidMemoryAccess.
  for (const auto& [name, imp] : listed) {
    CAPTURE(name);
    CHECK((imp.results & kOkBit) != 0);
    CHECK(((imp.results & kInvalidMemoryAccessBit) != 0) == imp.pointers);
    CHECK(imp.results < (1u << 8));  // only proxy_result_t values
  }
  CHECK(results("proxy_context_finalize") == kOkBit);
  CHECK(results("proxy_resume_stream") == (kOkBit | kBadArgumentBit | kInvalidOperationBit));
  CHECK(results("proxy_close_http_stream") == (kOkBit | kBadArgumentBit | kInvalidOperationBit));
  CHECK(results("proxy_get_buffer") == (kOkBit | kBadArgumentBit | kEmptyBit | kInvalidMemoryAccessBit));
  CHECK(results("proxy_get_map_values") == (kOkBit | kBadArgumentBit | kInvalidMemoryAccessBit));  // NotFound dropped
  CHECK(results("proxy_open_shared_kvstore") == (kOkBit | kNotFoundBit | kInvalidMemoryAccessBit));
  CHECK(results("proxy_set_shared_kvstore_key_values") ==
        (kOkBit | kBadArgumentBit | kCasMismatchBit | kInvalidMemoryAccessBit));
  CHECK(results("proxy_dequeue_shared_queue_item") ==
        (kOkBit | kBadArgumentBit | kEmptyBit | kInvalidMemoryAccessBit));  // Empty: promised in the review
  CHECK(results("proxy_set_metric_value") == (kOkBit | kBadArgumentBit | kInvalidOperationBit));
  CHECK(results("proxy_dispatch_http_call") ==
        (kOkBit | kNotFoundBit | kNotAllowedBit | kInvalidMemoryAccessBit));
  CHECK(results("proxy_call_custom_function") == (kOkBit | kNotFoundBit | kInvalidMemoryAccessBit));
}

TEST_CASE("vNEXT and v0.2.1 share wire names with other shapes") {
  // proxy_log and proxy_close_stream exist in both with one shape (other enum values);
  // proxy_on_context_create and proxy_on_queue_ready do not. Hence the vnext_ C symbols.
  std::map<std::string, std::string> v021_imports, v021_exports;
#define PROXY_WASM_TEST_V021_IMPORT(name, params, args, statuses) v021_imports[#name] = wasmParams(#params) + ":i";
  PROXY_WASM_ABI_V0_2_1_IMPORTS(PROXY_WASM_TEST_V021_IMPORT)
#undef PROXY_WASM_TEST_V021_IMPORT
#define PROXY_WASM_TEST_V021_EXPORT(name, result, params, args) \
  v021_exports[#name] = wasmParams(#params) + ":" + (std::string(#result) == "void" ? "-" : "i");
  PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_TEST_V021_EXPORT)
#undef PROXY_WASM_TEST_V021_EXPORT
  const auto vnext_imports = imports();
  const auto vnext_exports = exports();
  CHECK(vnext_imports.at("proxy_log").signature == v021_imports.at("proxy_log"));
  CHECK(vnext_imports.at("proxy_close_stream").signature == v021_imports.at("proxy_close_stream"));
  CHECK(v021_exports.at("proxy_on_context_create") == "ii:-");
  CHECK(vnext_exports.at("proxy_on_context_create") == "iii:i");
  CHECK(v021_exports.at("proxy_on_queue_ready") == "ii:-");
  CHECK(vnext_exports.at("proxy_on_queue_ready") == "i:-");
  CHECK(v021_exports.at("proxy_on_http_call_response") == "iiiii:-");
  CHECK(vnext_exports.at("proxy_on_http_call_response") == "iiii:-");
}

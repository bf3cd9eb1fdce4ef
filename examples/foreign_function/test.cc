// foreign_function's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using Logs = std::vector<std::string>;

namespace {
std::unique_ptr<Host> started() {
  auto host = makeHost();
  REQUIRE(host->startPlugin() != 0);
  return host;
}
}  // namespace

TEST_CASE("ticks every second and calls compress with 'hello' on each tick") {
  auto host = started();
  CHECK(host->tickPeriod() == 1000);
  std::vector<std::string> calls;
  host->registerForeignFunction("compress", [&](std::string_view args, std::string& result) {
    calls.emplace_back(args);
    result = "compressed";
    return Status::Ok;
  });

  host->advanceTime(999);
  CHECK(calls.empty());
  CHECK(host->logs().empty());

  host->advanceTime(1);
  CHECK(calls == std::vector<std::string>{"hello"});
  CHECK(host->logs(LogLevel::Info) == Logs{"compress: 10 bytes"});

  host->advanceTime(2000);
  CHECK(calls == std::vector<std::string>{"hello", "hello", "hello"});
  CHECK(host->logs(LogLevel::Info) == Logs{"compress: 10 bytes", "compress: 10 bytes", "compress: 10 bytes"});
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("in Envoy, compress is zlib: 'hello' compresses to 13 bytes") {
  auto host = started();
  host->registerForeignFunction("compress", [](std::string_view args, std::string& result) {
    if (args != "hello") return Status::BadArgument;
    result = std::string("\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15", 13);  // zlib compress("hello")
    return Status::Ok;
  });
  host->advanceTime(1000);
  CHECK(host->logs(LogLevel::Info) == Logs{"compress: 13 bytes"});
}

TEST_CASE("logs the size of whatever the function returns, including nothing") {
  auto host = started();
  std::string next = "x";
  host->registerForeignFunction("compress", [&](std::string_view, std::string& result) {
    result = next;
    return Status::Ok;
  });
  host->tick();
  next = std::string(70000, 'z');
  host->tick();
  next.clear();
  host->tick();
  CHECK(host->logs(LogLevel::Info) == Logs{"compress: 1 bytes", "compress: 70000 bytes", "compress: 0 bytes"});
}

TEST_CASE("a host without compress: warns with the status name NotFound") {
  auto host = started();
  host->advanceTime(1000);
  CHECK(host->logs(LogLevel::Warn) == Logs{"compress unavailable: NotFound"});
  CHECK(host->logs(LogLevel::Info).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("an error from the function: warns with its status name") {
  auto host = started();
  Status answer = Status::InternalFailure;
  host->registerForeignFunction("compress", [&](std::string_view, std::string& result) {
    result = "ignored on error";
    return answer;
  });
  host->tick();
  answer = Status::BadArgument;
  host->tick();
  answer = Status::SerializationFailure;
  host->tick();
  CHECK(host->logs(LogLevel::Warn) == Logs{"compress unavailable: InternalFailure", "compress unavailable: BadArgument",
                                           "compress unavailable: SerializationFailure"});
  CHECK(host->logs(LogLevel::Info).empty());
}

TEST_CASE("the function can come and go between ticks") {
  auto host = started();
  host->tick();
  host->registerForeignFunction("compress", [](std::string_view args, std::string& result) {
    result = std::string(args) + std::string(args);
    return Status::Ok;
  });
  host->tick();
  CHECK(host->logs(LogLevel::Warn) == Logs{"compress unavailable: NotFound"});
  CHECK(host->logs(LogLevel::Info) == Logs{"compress: 10 bytes"});
}

TEST_CASE("every plugin instance ticks and logs on its own root") {
  auto host = makeHost();
  const uint32_t a = host->startPlugin({"", "", "first"});
  const uint32_t b = host->startPlugin({"", "", "second"});
  REQUIRE(a != 0);
  REQUIRE(b != 0);
  host->advanceTime(1000);
  REQUIRE(host->logs().size() == 2);
  CHECK(host->logs()[0].context_id == a);
  CHECK(host->logs()[1].context_id == b);
  CHECK(host->logs(LogLevel::Warn) == Logs{"compress unavailable: NotFound", "compress unavailable: NotFound"});
}

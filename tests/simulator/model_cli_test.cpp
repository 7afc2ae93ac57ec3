// `skippy sim --model.listen`: the model stand-in beside the simulated API server, answering
// Ollama's /api/chat in the mode the command line names, refusing a mode it does not know,
// and stopping with the simulator on SIGTERM even while a request hangs.
#define BOOST_TEST_MODULE simulator_model_cli
#include <boost/test/unit_test.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/http/exchange.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy::test;
using Json = nlohmann::json;

namespace {

// A chat request on Ollama's API whose question has memory rising on <pod-1>.
skippy::http::Request chat(int port, std::int64_t timeout_ms) {
  Json question = {
      {"allowed_actions", {"restart", "none"}},
      {"target", {{"kind", "pod"}, {"namespace", "<namespace-1>"}, {"name", "<pod-1>"}}},
      {"evidence",
       {{{"id", "s1"},
         {"kind", "signal"},
         {"name", "memory"},
         {"samples", {{-60, 0.5}, {0, 0.7}}}}}}};
  skippy::http::Request request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/api/chat";
  request.content_type = "application/json";
  request.body = Json{{"model", "any"},
                      {"stream", false},
                      {"messages", {{{"role", "user"}, {"content", question.dump()}}}}}
                     .dump();
  request.timeout_ms = timeout_ms;
  return request;
}

struct Dir {
  fs::path path = fs::temp_directory_path() / ("skippy-model-cli-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(skippy_sim_serves_the_model_stand_in_and_stops_with_a_request_hanging) {
  Dir dir;
  int port = free_port();
  Process sensible({SKIPPY_BINARY, "sim", "--listen", "127.0.0.1:0", "--model.listen",
                    "127.0.0.1:" + std::to_string(port)},
                   dir.path / "sensible.log");
  skippy::http::Response r;
  BOOST_REQUIRE_MESSAGE(poll_until(
                            [&] {
                              r = skippy::http::exchange(chat(port, 2'000));
                              return r.status == 200;
                            },
                            std::chrono::seconds(10)),
                        read_file(dir.path / "sensible.log"));
  Json answer = Json::parse(Json::parse(r.body)["message"]["content"].get<std::string>());
  BOOST_TEST(answer["action"] == "restart");
  BOOST_TEST(answer["reason"] == "s1 rises from 0.5 to 0.7 on <pod-1>");
  sensible.stop();

  port = free_port();
  Process hanging({SKIPPY_BINARY, "sim", "--listen", "127.0.0.1:0", "--model.listen",
                   "127.0.0.1:" + std::to_string(port), "--model.mode", "hang"},
                  dir.path / "hang.log");
  BOOST_REQUIRE(poll_until(
      [&] { return read_file(dir.path / "hang.log").find("mode hang") != std::string::npos; },
      std::chrono::seconds(10)));
  std::thread waiting([&] { r = skippy::http::exchange(chat(port, 5'000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the request reaches it
  auto start = std::chrono::steady_clock::now();
  hanging.stop(SIGTERM);
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
  BOOST_TEST(hanging.wait() == 0);
  waiting.join();
  BOOST_TEST(r.status == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_mode_is_a_usage_error) {
  Dir dir;
  Process p({SKIPPY_BINARY, "sim", "--listen", "127.0.0.1:0", "--model.listen", "127.0.0.1:0",
             "--model.mode", "clever"},
            dir.path / "sim.log");
  BOOST_TEST(p.wait() == 2);
  BOOST_TEST(read_file(dir.path / "sim.log").find("--model.mode clever") != std::string::npos);
}

// Lesson 05 demo: train BabyGPT v1 (or v2 with --model v2) on a UTF-8 text and write a
// few lines with it — the lesson's training loop, nothing else.
//   ./build/lesson05_train FILE [--model v1|v2] [--iters N] [--seed S]
// (lesson05_train_mine is the same program on your own engine.)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "bg/data.h"
#include "bg/error.h"
#include "bg/models.h"
#include "bg/optim.h"
#include "bg/text.h"

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::fprintf(stderr, "usage: %s FILE [--model v1|v2] [--iters N] [--seed S]\n", argv[0]);
      return 2;
    }
    std::string model = "v1";
    int64_t iters = 5000;
    uint64_t seed = 1337;
    for (int i = 2; i < argc; i += 2) {
      const std::string flag = argv[i];
      if (i + 1 == argc) throw bg::Error("flag " + flag + " needs a value");
      if (flag == "--model")
        model = argv[i + 1];
      else if (flag == "--iters")
        iters = std::atoll(argv[i + 1]);
      else if (flag == "--seed")
        seed = std::strtoull(argv[i + 1], nullptr, 10);
      else
        throw bg::Error("unknown flag " + flag);
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) throw bg::Error(std::string("cannot open ") + argv[1]);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();

    const bg::CharTokenizer tok(text);
    const bg::Split split = bg::split_train_val(tok.encode(text));
    bg::ModelConfig c;  // the course's hyper-parameters
    c.model = model;
    c.vocab_size = tok.vocab_size();
    c.block_size = 8;
    c.n_embed = 32;
    bg::Generator gen(seed);
    auto m = bg::make_model(c, gen);
    bg::AdamW opt(m->parameters(), 1e-2f);
    std::printf("%s: vocabulary %d, %lld parameters, %zu train / %zu val tokens\n", model.c_str(),
                tok.vocab_size(), static_cast<long long>(m->num_parameters()), split.train.size(),
                split.val.size());
    for (int64_t step = 0; step <= iters; ++step) {
      if (step % 1000 == 0 || step == iters) {
        const bg::LossEstimate e = bg::estimate_loss(*m, split, 100, 32, c.block_size, gen);
        std::printf("step %5lld  train %.4f  val %.4f\n", static_cast<long long>(step), e.train,
                    e.val);
        std::fflush(stdout);
      }
      if (step == iters) break;
      bg::Tensor loss = bg::model_loss(*m, bg::get_batch(split.train, 32, c.block_size, gen));
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    bg::SampleOptions o;
    o.max_new_tokens = 60;
    std::cout << tok.decode(bg::generate(*m, {split.val[0]}, o, gen)) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

// Checkpoints of the babygpt program: a model, its config and its vocabulary in one
// .safetensors file (bg/io/safetensors.h), in the layout the PyTorch reference writes.
#pragma once

#include <filesystem>
#include <memory>

#include "bg/io/safetensors.h"
#include "bg/models.h"
#include "bg/text.h"

namespace bg::cli {

// A trained model with everything needed to use it.
struct Checkpoint {
  ModelConfig config;
  CharTokenizer tokenizer;
  std::unique_ptr<LanguageModel> model;
};

// The model's named_parameters (PyTorch state_dict names) and the metadata model,
// vocab_size, block_size, n_embed, n_head, n_layer, dropout and vocab (the vocabulary's
// characters in id order), all strings as the PyTorch reference writes them, written
// atomically as .safetensors. bg::Error when the tokenizer's vocabulary size is not the
// model's.
void save_checkpoint(const std::filesystem::path& path, const LanguageModel& model,
                     const CharTokenizer& tokenizer);

// Reads and checks a checkpoint (ours or one PyTorch wrote in the same layout) and returns
// its model in eval mode (no dropout): bg::Error naming the file for a missing or truncated
// file, missing or malformed metadata (n_layer may be absent from versions without blocks and
// dropout from versions without dropout, as in checkpoints written before those versions
// existed), a vocabulary that disagrees with vocab_size, tensors the model needs but the file
// lacks or the file has but the model does not know, and shapes that disagree with the config.
Checkpoint load_checkpoint(const std::filesystem::path& path);
// The same for a .safetensors file already read; `path` only names it in messages.
Checkpoint checkpoint_from(const SafetensorsFile& file, const std::filesystem::path& path);

// Finite weights can still be so large (3e38) that the model's arithmetic overflows: no check
// of the file finds that, so sample, eval and attention check what the model computes, and say
// so with this message: `what` names the outputs ("the model's loss on poems.txt is"), `value`
// is the first of them that is not finite.
std::string broken_checkpoint_message(const std::filesystem::path& path, const std::string& what,
                                      double value);

}  // namespace bg::cli

// Input discovery and reading: directories and files of the input formats (formats.hpp) become a
// stream of raw letters in batches, with every input that cannot be read reported as a Rejection.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "imrdex/core/letter.hpp"
#include "imrdex/index/formats.hpp"
#include "imrdex/index/rejection.hpp"

namespace imrdex {

// One letter's text before parsing.
struct RawLetter {
    std::string text;  // letter text, or the file's bytes while `extractor` is set
    // The format's text extractor, still to run on `text`: it is costly, so the reader leaves
    // it to the parallel stage. nullptr: `text` is the letter text.
    const TextExtractor* extractor = nullptr;
    std::string fallback_id;  // file stem, or the JSONL "id" (else "<stem>-<line>")
    std::string source;       // file path, or "path:line" for JSON Lines (or its "source")
    // Warnings of making the text that a JSON Lines record carries ("warnings", as
    // imr-index --save-text writes them); they join the letter's own.
    std::vector<Warning> warnings;
};

struct InputFile {
    std::filesystem::path path;
    const InputFormat* format = nullptr;  // from input_format_of
    std::uint64_t size = 0;  // bytes on disk (compressed size for .zst), for progress and ETA
};

// Expands the command-line inputs into files, in a stable order (each directory's entries
// sorted). Directories are walked recursively following symlinks, each real directory visited
// once (so symlink loops end); files inside directories without an input extension are skipped
// silently, but a named file of no input format, a missing path or an unreadable entry is rejected.
std::vector<InputFile> expand_inputs(const std::vector<std::string>& inputs,
                                     std::vector<Rejection>& rejections);

struct ReaderLimits {
    // Longer letters/lines are rejected (real letters are well under 1 MB of text).
    std::size_t max_letter_bytes = std::size_t{64} << 20;
    std::size_t chunk_bytes = std::size_t{4} << 20;  // JSONL / zstd read size
};

// A batch of work for the pipeline: letters plus the rejections met while reading them.
struct InputBatch {
    std::vector<RawLetter> letters;
    std::vector<Rejection> rejections;
    std::uint64_t text_bytes = 0;   // letter text bytes in `letters`
    std::uint64_t input_bytes = 0;  // file bytes consumed while filling the batch (for ETA)
};

// Pull-based reader over a list of files, one batch at a time; never throws for bad input
// (those become rejections). Not thread-safe: it is the pipeline's serial input stage.
class InputReader {
public:
    explicit InputReader(std::vector<InputFile> files, ReaderLimits limits = {});
    ~InputReader();
    InputReader(const InputReader&) = delete;
    InputReader& operator=(const InputReader&) = delete;

    // Fills `batch` (cleared first) with up to `max_letters` letters or about `max_bytes` of
    // text. Returns false when every input is exhausted and the batch is empty. When `stop`
    // becomes true the reader ends early (as if the inputs had ended).
    bool next(InputBatch& batch, std::size_t max_letters, std::size_t max_bytes,
              const std::atomic<bool>* stop = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Convenience for tests and small tools: every letter and rejection of `inputs`.
void read_all(const std::vector<std::string>& inputs, std::vector<RawLetter>& letters,
              std::vector<Rejection>& rejections);

}  // namespace imrdex

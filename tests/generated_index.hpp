// Test helper: a generated corpus written as .txt letters and indexed by the real pipeline into
// shards, with the generator's truth for brute-force checks (test_letter_conditions, test_pivot).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "imrdex/core/letter.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/index/pipeline.hpp"

namespace imrdex::testing {

// Generates `letters` letters from `seed` into DIR/letters, indexes them into `db` in `shards`
// shards (several, so the stub interleaves their docids) and returns the generator's truth.
// Sets `rejected` to the run's rejections, which the caller asserts on.
inline std::vector<Letter> index_generated(const std::filesystem::path& dir, const std::string& db,
                                           std::uint64_t letters, std::uint64_t seed,
                                           unsigned shards, std::uint64_t& rejected) {
    const std::filesystem::path txt = dir / "letters";
    std::filesystem::create_directories(txt);
    std::vector<Letter> truth;
    const LetterGenerator gen(seed);
    GeneratedLetter g;
    for (std::uint64_t i = 0; i < letters; ++i) {
        gen.generate(i, g);
        std::ofstream(txt / (g.truth.id + ".txt")) << g.text;
        truth.push_back(g.truth);
    }
    IndexOptions o;
    o.db = db;
    o.shards = shards;
    o.threads = 2;
    o.compact = false;
    o.sync = false;
    rejected = run_index({txt.string()}, o).rejected;
    return truth;
}

}  // namespace imrdex::testing

// SPDX-License-Identifier: GPL-3.0-or-later
// Anneal's GPT, its per-sample loss and its optimizer step against PyTorch (docs/NUMERICS.md).
// A 2-layer GPT (d_model 32, 4 heads, context 16) is built by Anneal's code; its parameters, a
// fixed batch and ten training steps' batches and learning rates go to a temporary directory, and
// tests/tools/torch_reference.py — a GPT written from the architecture description with
// torch.nn.functional, torch.optim.AdamW and torch.nn.utils.clip_grad_norm_, importing nothing of
// Anneal's — computes logits, the unreduced per-sample cross-entropy, the loss, every parameter's
// gradient, and the parameters after ten AdamW steps (weight decay on matrices only, clipping).
// The training side on Anneal's part is TrainerCore itself (its parameter groups, FlatAdamW,
// clipping, learning rate per step), read back through its checkpoints.
//
// The reference runs with /usr/bin/python3 (Debian's python3-torch); without torch there the
// suite is skipped and says so.
#include <torch/torch.h>  // before Qt: Qt's `slots` keyword macro breaks torch's headers

#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "anneal/config.h"
#include "model/gpt.h"
#include "process.h"
#include "temp_paths.h"
#include "train/checkpoint.h"
#include "train/trainer_core.h"

using namespace anneal;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
constexpr int kSteps = 10;
constexpr int kBatch = 4;
constexpr int kContext = 16;

/// The experiment TrainerCore runs: cosine schedule with warmup, weight decay 0.1 on matrices,
/// the global gradient norm clipped at 2.0 (between the norms of this model's first and last steps, so the
/// clip is exercised: checked in adamWTenSteps).
std::string experimentToml() {
    return "name = \"torch-reference\"\nseed = 11\ndevice = \"cpu\"\n"
           "[model]\nn_layer = 2\nd_model = 32\nn_head = 4\ncontext = " +
           std::to_string(kContext) +
           "\n"
           "[data]\nbatch_size = " +
           std::to_string(kBatch) +
           "\nval_every = 100\nval_batches = 1\n"
           "[[data.domain]]\nname = \"markov\"\nsource = \"synthetic:markov\"\nweight = 0.7\n"
           "[data.domain.params]\norder = 1\nalphabet = 8\nentropy = 1.0\n"
           "[[data.domain]]\nname = \"noise\"\nsource = \"synthetic:noise\"\nweight = 0.3\n"
           "[train]\nsteps = " +
           std::to_string(kSteps) +
           "\nlr = 0.01\nweight_decay = 0.1\nbetas = [0.9, 0.95]\n"
           "eps = 1e-8\ngrad_clip = 2.0\nthreads = 1\n"
           "[schedule]\nkind = \"cosine\"\nwarmup_steps = 2\n";
}

void writeBytes(const std::string& path, const void* data, size_t n) {
    std::ofstream f(path, std::ios::binary);
    f.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
    QVERIFY2(f.good(), path.c_str());
}

void writeTensor(const std::string& path, const torch::Tensor& t) {
    auto c = t.detach().to(torch::kFloat).contiguous().cpu();
    writeBytes(path, c.data_ptr<float>(), static_cast<size_t>(c.numel()) * sizeof(float));
}

/// A file of float32 values, shaped like `like`; an undefined tensor when it is missing or of
/// another size (the comparison then fails with the name).
torch::Tensor readTensor(const std::string& path, const torch::Tensor& like) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.size() != static_cast<size_t>(like.numel()) * sizeof(float)) {
        return {};
    }
    auto t = torch::empty(like.sizes(), torch::kFloat);
    std::memcpy(t.data_ptr<float>(), bytes.data(), bytes.size());
    return t;
}

/// The parameters of a checkpoint's model, in the model's order.
model::Gpt modelFromCheckpoint(const std::string& path, const ModelSpec& spec) {
    train::CheckpointHeader h;
    std::string payload;
    train::readCheckpointFile(path, h, payload);
    std::istringstream in(payload);
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    torch::serialize::InputArchive modelArchive;
    archive.read("model", modelArchive);
    model::Gpt g(spec);
    g->load(modelArchive);
    return g;
}

/// Worst disagreement of one tensor with its reference: max |a - b|, that over max |b| (the
/// tensor's scale), and the largest distance in float32 steps (ulps) between the two.
struct Error {
    double maxAbs = 0;
    double scaled = 0;
    std::int64_t maxUlps = 0;
};

std::int64_t orderedBits(float x) {
    std::int32_t i;
    std::memcpy(&i, &x, sizeof i);
    return i < 0 ? -static_cast<std::int64_t>(i & 0x7fffffff) : static_cast<std::int64_t>(i);
}

Error compare(const torch::Tensor& got, const torch::Tensor& ref) {
    Error e;
    auto a = got.detach().to(torch::kFloat).contiguous().reshape({-1});
    auto b = ref.detach().to(torch::kFloat).contiguous().reshape({-1});
    const float* pa = a.data_ptr<float>();
    const float* pb = b.data_ptr<float>();
    double scale = 0;
    for (std::int64_t i = 0; i < b.numel(); ++i) {
        scale = std::max(scale, std::abs(static_cast<double>(pb[i])));
        const double d = std::abs(static_cast<double>(pa[i]) - static_cast<double>(pb[i]));
        e.maxAbs = std::isnan(d) ? INFINITY : std::max(e.maxAbs, d);
        e.maxUlps = std::max(e.maxUlps, std::abs(orderedBits(pa[i]) - orderedBits(pb[i])));
    }
    e.scaled = scale > 0 ? e.maxAbs / scale : e.maxAbs;
    return e;
}

}  // namespace

class TestTorchReference : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;
    ExperimentSpec m_spec;
    std::vector<std::string> m_names;
    model::Gpt m_init{nullptr}, m_trained{nullptr};  ///< Anneal's parameters before and after training
    torch::Tensor m_tokens;                          ///< the fixed batch [B, T + 1]
    std::vector<double> m_norms, m_losses;           ///< TrainerCore's per-step grad norm and loss

    std::string out(const std::string& name) const { return m_dir.path("out/" + name); }

    /// Compares a tensor with the reference's file `name`, logs the errors and fails above
    /// `tolerance` (on the error scaled by the reference's largest magnitude).
    /// With `offset` >= 0, `got` is one of the three equal parts (q, k, v) of the 1-D tensor the file
    /// holds, starting at `offset`.
    void check(const std::string& what, const torch::Tensor& got, const std::string& name, double tolerance,
               std::int64_t offset = -1) {
        torch::Tensor ref;
        if (offset >= 0) {
            const torch::Tensor whole = readTensor(out(name), torch::empty({3 * got.size(0)}));
            ref = whole.defined() ? whole.narrow(0, offset, got.size(0)) : whole;
        } else {
            ref = readTensor(out(name), got);
        }
        QVERIFY2(ref.defined(), ("the reference wrote no " + name + " of the right size").c_str());
        const Error e = compare(got, ref);
        qInfo("%-28s max |Δ| %.3g, scaled %.3g, %lld ulps", what.c_str(), e.maxAbs, e.scaled,
              static_cast<long long>(e.maxUlps));
        QVERIFY2(e.scaled <= tolerance,
                 (what + ": scaled error " + std::to_string(e.scaled) + " above " + std::to_string(tolerance))
                     .c_str());
    }

    /// Forward and backward through Anneal's model and loss on the fixed batch; compared with the
    /// reference's results for the same state.
    void checkForward(model::Gpt& gpt, const std::string& state) {
        for (auto& p : gpt->parameters()) {
            p.mutable_grad() = torch::Tensor();
        }
        auto logits = gpt->forward(m_tokens.narrow(1, 0, kContext));
        auto perSample = model::perSampleLoss(logits, m_tokens.narrow(1, 1, kContext));
        auto loss = perSample.mean();
        loss.backward();
        check(state + " logits", logits, state + ".logits.bin", 1e-6);
        check(state + " per-sample CE", perSample, state + ".per_sample.bin", 1e-6);
        check(state + " loss", loss.reshape({1}), state + ".loss.bin", 1e-6);
        const auto params = gpt->named_parameters();
        for (size_t i = 0; i < params.size(); ++i) {
            check(state + " grad " + params[i].key(), params[i].value().grad(),
                  state + ".grad_" + std::to_string(i) + ".bin", 1e-5);
        }
    }

private slots:
    void initTestCase() {
        torch::set_num_threads(1);
        const auto probe = test::runProcess(kPython, {"-c", "import torch"});
        if (probe.exitCode != 0) {
            QSKIP(qPrintable("/usr/bin/python3 cannot import torch (install python3-torch): " +
                             probe.err.left(200)));
        }
        namespace fs = std::filesystem;
        m_spec = parseExperiment(experimentToml(), "torch-reference");

        // TrainerCore trains ten steps; its checkpoints give the parameters before and after.
        std::vector<std::string> batchFiles;
        QJsonArray lrs, batches;
        {
            train::TrainerCore core(m_spec, "cpu");
            core.save(m_dir.path("init.ckpt"), 0, 0);
            for (int t = 0; t < kSteps; ++t) {
                const train::StepOutcome o = core.step(t);
                QVERIFY2(o.failure.empty() && !o.skipped, o.failure.c_str());
                const Batch& b = core.lastBatch();
                QCOMPARE(b.length, kContext + 1);
                const std::string file = "batch_" + std::to_string(t) + ".u8";
                const std::vector<std::uint8_t> bytes(b.tokens.begin(), b.tokens.end());  // ids < 256
                writeBytes(m_dir.path(file), bytes.data(), bytes.size());
                batches.append(QString::fromStdString(file));
                lrs.append(o.lr);
                m_norms.push_back(o.gradNorm);
                m_losses.push_back(o.loss);
            }
            core.save(m_dir.path("trained.ckpt"), kSteps, 0);
        }
        m_init = modelFromCheckpoint(m_dir.path("init.ckpt"), m_spec.model);
        m_trained = modelFromCheckpoint(m_dir.path("trained.ckpt"), m_spec.model);

        // The fixed batch: bytes of a linear congruential sequence (every value of 0..255 likely).
        std::vector<std::uint8_t> fixed(static_cast<size_t>(kBatch * (kContext + 1)));
        std::uint32_t x = 12345;
        for (auto& v : fixed) {
            x = x * 1664525u + 1013904223u;
            v = static_cast<std::uint8_t>(x >> 24);
        }
        writeBytes(m_dir.path("fixed.u8"), fixed.data(), fixed.size());
        m_tokens = torch::from_blob(fixed.data(), {kBatch, kContext + 1}, torch::kUInt8).to(torch::kLong);

        QJsonArray params, initFiles, trainedFiles;
        const auto initParams = m_init->named_parameters();
        const auto trainedParams = m_trained->named_parameters();
        for (size_t i = 0; i < initParams.size(); ++i) {
            m_names.push_back(initParams[i].key());
            QJsonArray shape;
            for (auto s : initParams[i].value().sizes()) {
                shape.append(static_cast<qint64>(s));
            }
            params.append(
                QJsonObject{{"name", QString::fromStdString(initParams[i].key())}, {"shape", shape}});
            const std::string fi = "init_" + std::to_string(i) + ".f32";
            const std::string ft = "trained_" + std::to_string(i) + ".f32";
            writeTensor(m_dir.path(fi), initParams[i].value());
            writeTensor(m_dir.path(ft), trainedParams[i].value());
            initFiles.append(QString::fromStdString(fi));
            trainedFiles.append(QString::fromStdString(ft));
        }
        const auto& tr = m_spec.train;
        const QJsonObject doc{
            {"model", QJsonObject{{"n_layer", m_spec.model.nLayer},
                                  {"d_model", m_spec.model.dModel},
                                  {"n_head", m_spec.model.nHead},
                                  {"context", m_spec.model.context}}},
            {"params", params},
            {"states", QJsonObject{{"init", initFiles}, {"trained", trainedFiles}}},
            {"forward", QJsonObject{{"tokens", "fixed.u8"}, {"batch", kBatch}, {"length", kContext + 1}}},
            {"train", QJsonObject{{"batches", batches},
                                  {"lr", lrs},
                                  {"batch", kBatch},
                                  {"length", kContext + 1},
                                  {"betas", QJsonArray{tr.betas[0], tr.betas[1]}},
                                  {"eps", tr.eps},
                                  {"weight_decay", tr.weightDecay},
                                  {"grad_clip", tr.gradClip}}}};
        const QByteArray json = QJsonDocument(doc).toJson();
        writeBytes(m_dir.path("case.json"), json.constData(), static_cast<size_t>(json.size()));

        const auto r = test::runProcess(
            kPython,
            {QString::fromStdString(test::sourceFile("tests/tools/torch_reference.py")), m_dir.qpath()},
            300000, {"OMP_NUM_THREADS=1"});
        QVERIFY2(r.exitCode == 0 && !r.crashed,
                 qPrintable("the PyTorch reference failed: " + r.err.right(2000)));
    }

    /// Logits, per-sample cross-entropy, loss and every gradient at Anneal's initialisation.
    void forwardAndGradientsAtInit() { checkForward(m_init, "init"); }

    /// The same after ten steps of training (attention no longer near-uniform, LayerNorm gains
    /// away from 1): the parameters are Anneal's, the computation PyTorch's.
    void forwardAndGradientsAfterTraining() { checkForward(m_trained, "trained"); }

    /// The comparison sees a one-ulp change: one weight of Anneal's model moved to the next float32
    /// (the reference keeps the original) changes the logits, and the loss's gradient, by whole ulps
    /// where the unchanged model agrees to the bit. So the checks above can fail.
    void oneUlpChangeIsSeen() {
        model::Gpt changed(m_spec.model);
        {
            torch::NoGradGuard ng;
            const auto src = m_init->named_parameters();
            const auto dst = changed->named_parameters();
            for (size_t i = 0; i < src.size(); ++i) {
                dst[i].value().copy_(src[i].value());
            }
            auto w = changed->named_parameters()["blocks.0.qkv.weight"];
            float* p = w.data_ptr<float>();
            p[0] = std::nextafter(p[0], INFINITY);
        }
        auto logits = changed->forward(m_tokens.narrow(1, 0, kContext));
        const torch::Tensor ref = readTensor(out("init.logits.bin"), logits);
        QVERIFY(ref.defined());
        const Error same = compare(m_init->forward(m_tokens.narrow(1, 0, kContext)), ref);
        const Error moved = compare(logits, ref);
        qInfo("unchanged model: %lld ulps; one weight one ulp up: %lld ulps (max |Δ| %.3g)",
              static_cast<long long>(same.maxUlps), static_cast<long long>(moved.maxUlps), moved.maxAbs);
        QCOMPARE(same.maxUlps, std::int64_t{0});
        QVERIFY2(moved.maxUlps > 0, "a one-ulp change of a weight went unseen");
    }

    /// Ten TrainerCore steps against ten torch.optim.AdamW steps with clip_grad_norm_.
    void adamWTenSteps() {
        const torch::Tensor norms = torch::tensor(m_norms, torch::kDouble).to(torch::kFloat);
        const torch::Tensor losses = torch::tensor(m_losses, torch::kDouble).to(torch::kFloat);
        check("train step losses", losses, "train_loss.bin", 1e-5);
        check("train grad norms", norms, "train_norm.bin", 1e-5);
        int clipped = 0;
        for (double n : m_norms) {
            clipped += n > m_spec.train.gradClip ? 1 : 0;
        }
        qInfo("%d of %d steps clipped (norms %.3f .. %.3f)", clipped, kSteps, m_norms.back(),
              m_norms.front());
        QVERIFY2(clipped > 0 && clipped < kSteps,
                 "the case should exercise both clipped and unclipped steps");
        const auto params = m_trained->named_parameters();
        const std::int64_t d = m_spec.model.dModel;
        for (size_t i = 0; i < params.size(); ++i) {
            const std::string file = "trained_" + std::to_string(i) + ".bin";
            const torch::Tensor& p = params[i].value();
            if (params[i].key().size() >= 8 &&
                params[i].key().compare(params[i].key().size() - 8, 8, "qkv.bias") == 0) {
                // The key bias's gradient is zero in exact arithmetic (softmax(q·(k_j + b)) does not
                // depend on b), so both sides feed AdamW rounding noise, which it normalises to steps
                // of ~lr in arbitrary directions: only the query and value biases can agree.
                check("trained " + params[i].key() + " (q)", p.narrow(0, 0, d), file, 1e-5, 0);
                check("trained " + params[i].key() + " (v)", p.narrow(0, 2 * d, d), file, 1e-5, 2 * d);
                continue;
            }
            check("trained " + params[i].key(), p, file, 1e-5);
        }
    }
};

QTEST_APPLESS_MAIN(TestTorchReference)
#include "test_torch_reference.moc"

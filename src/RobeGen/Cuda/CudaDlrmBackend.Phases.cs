using ILGPU;
using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Cuda;

// The phases of a training step one at a time, for RobeGen.Lab: its layer-by-layer trace against the float64
// reference, its per-phase profile and its timings of the embedding layer and of inference on the device. TrainStep
// never goes through here; it calls the same private methods directly.
internal sealed partial class CudaDlrmBackend
{
    /// <summary>The step's phases of this model, each only queued on its stream (binds the device first).</summary>
    internal StepPhases Phases
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _device.Accelerator.Bind();
            return new StepPhases(this);
        }
    }

    /// <summary>Thin access to the phases and buffers of <see cref="CudaDlrmBackend"/>; docs/model-math.md has what each computes.</summary>
    internal readonly struct StepPhases(CudaDlrmBackend model)
    {
        public void Upload(Batch batch, bool withLabels = true) => model.UploadBatch(batch, withLabels);
        /// <summary>Hands the uploaded batch's device slot back to the uploader (after the last phase that reads it).</summary>
        public void ReleaseUpload() => model._uploader.Release();
        public void Forward(int rows) => model.Forward(rows);
        public void BottomForward(int rows) => model.BottomForward(rows);
        public void GatherEmbeddings(int rows) => model.GatherEmbeddings(rows);
        public void InteractionForward(int rows) => model.InteractionForward(rows);
        public void TopForward(int rows) => model.TopForward(rows, probabilities: false);
        /// <summary>The forward of a prediction: logits and their sigmoid in one pass, as <see cref="EnqueuePredict"/> runs it.</summary>
        public void PredictForward(int rows) => model.Forward(rows, prediction: true);
        public void Loss(int rows) => model.LossAndGradient(rows);
        /// <summary>The top MLP's backward; returns the buffer holding dL/dR ([rows, TopInputStride]).</summary>
        public ActivationBuffer BackwardTop(int rows) => model.BackwardTop(rows);
        public void InteractionBackward(int rows, ActivationBuffer gradTopInput, float embeddingScale = 1f) =>
            model.InteractionBackward(rows, gradTopInput, embeddingScale);
        public void BottomBackward(int rows) => model.BottomBackward(rows);
        /// <summary>dL/dM into the embedding gradient buffer (the unfused path; the weights stay as they are).</summary>
        public void EmbeddingGradient(int rows) => model._embeddingGradient.Accumulate(rows, model.EmbeddingArgs(rows), model.CoordinateArgs(rows));
        public void Update(int rows, float learningRate) => model.Update(rows, learningRate);
        public void DenseUpdate(float learningRate) => model.DenseUpdate(learningRate);
        public bool FusesEmbeddingSgd => model.FusesEmbeddingSgd;
        public Precision Precision => model._options.Precision;

        /// <summary>The embedding's share of the backward pass and update as a step runs it: fused scatter-SGD, or scatter then update.</summary>
        public void EmbeddingBackwardAndUpdate(int rows, float learningRate)
        {
            if (FusesEmbeddingSgd)
                ((AtomicEmbeddingGradient)model._embeddingGradient).ScatterInto(rows, model.EmbeddingArgs(rows), model.CoordinateArgs(rows), model._t.Embedding.View);
            else
            {
                EmbeddingGradient(rows);
                model.EmbeddingUpdate(rows, learningRate);
            }
        }

        /// <summary>Counts steps queued outside <see cref="EnqueueTrainStep"/>, so <see cref="ReadMeanLoss"/> stays a mean per step.</summary>
        public void StepsQueued(int steps) => model._stepsSinceLossRead += steps;

        public DeviceTensors Tensors => model._t;
        public MlpPlan Mlp => model._mlp;
        /// <summary>Width of the top MLP's input (the interaction's output) and its row stride in device memory.</summary>
        public (int Width, int Stride) TopInput => (model._mlp.TopInputWidth, model._mlp.TopInputStride);
        public float[] Download(ArrayView<float> view) => model.Download(view).ToArray();
        public void Synchronize() => model._device.Synchronize();
    }
}

using RobeGen.Cuda;
using RobeGen.Data;

namespace RobeGen.Lab.Equivalence;

/// <summary>A CUDA training step that stops before its update to copy every activation and gradient out (equivalence checks only).</summary>
internal static class CudaStepTracer
{
    /// <summary>
    /// Runs one full training step like <see cref="CudaDlrmBackend.TrainStep"/>, but copies every layer's activations
    /// and gradients to the host before the update, with the names <see cref="ReferenceDlrm"/> uses. Slow (many small copies).
    /// </summary>
    public static StepTrace TraceTrainStep(CudaDlrmBackend model, Batch batch, float learningRate)
    {
        CudaDlrmBackend.StepPhases step = model.Phases;
        var t = step.Tensors;
        var mlp = step.Mlp;
        step.Upload(batch);
        int rows = batch.Count, d = model.Layout.Dim, tables = model.Layout.TableCount;
        step.Forward(rows);
        step.Loss(rows);
        var (gradTopInput, free) = step.BackwardTop(rows);
        float[] gradTopInputValues = step.Download(gradTopInput.SubView(0, (long)rows * step.TopInputWidth)); // overwritten below
        step.InteractionBackward(rows, gradTopInput);
        step.BottomBackward(rows, gradTopInput, free);
        step.EmbeddingGradient(rows);

        var trace = new StepTrace();
        for (int i = 0; i < mlp.Bottom.Count; i++)
            trace.Add($"{mlp.Bottom[i].Name} output", step.Download(t.BottomOutputs[i].View.SubView(0, (long)rows * mlp.Bottom[i].FanOut)));
        trace.Add("gathered embeddings", step.Download(t.Embeddings.View.SubView(0, (long)rows * tables * d)));
        trace.Add("top MLP input", step.Download(t.TopInput.View.SubView(0, (long)rows * step.TopInputWidth)));
        for (int i = 0; i < mlp.Top.Count; i++)
            trace.Add($"{mlp.Top[i].Name} output", step.Download(t.TopOutputs[i].View.SubView(0, (long)rows * mlp.Top[i].FanOut)));
        trace.Add("logit gradient", step.Download(t.GradLogits.View.SubView(0, rows)));
        trace.Add("top MLP input gradient", gradTopInputValues);
        trace.Add("embedding output gradient", step.Download(t.GradEmbeddings.View.SubView(0, (long)rows * tables * d)));
        foreach (var layer in mlp.All)
        {
            trace.Add($"{layer.WeightName} gradient", step.Download(t.WeightGradient(layer)));
            trace.Add($"{layer.BiasName} gradient", step.Download(t.BiasGradient(layer)));
        }
        trace.Add("embedding gradient", step.Download(t.EmbeddingGradients.View.SubView(0, model.Layout.TotalParameters)));
        trace.Loss = model.ReadLastLoss();

        step.Update(rows, learningRate);
        step.StepsQueued(1);
        step.Synchronize();
        return trace;
    }
}

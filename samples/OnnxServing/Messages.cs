using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxServing;

/// <summary>One row: the raw dense values (the model applies its own transform) and raw ids by table name.</summary>
public sealed record Row(float[]? Dense, Dictionary<string, ulong>? Ids);

public sealed record PredictRequest(List<Row> Rows);

public sealed record PredictResponse(float[] Probabilities);

public sealed record ModelDescription(string Name, int DenseFeatures, string[] Tables);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PredictRequest))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ModelDescription))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class ServingJson : JsonSerializerContext;

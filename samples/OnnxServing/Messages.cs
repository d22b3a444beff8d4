using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxServing;

/// <summary>One row: the raw dense values (the model applies its own transform), raw ids by table name, and the bags of
/// raw ids of the multi-hot tables by table name.</summary>
public sealed record Row(float[]? Dense, Dictionary<string, ulong>? Ids, Dictionary<string, ulong[]>? Bags = null);

public sealed record PredictRequest(List<Row> Rows);

public sealed record PredictResponse(float[] Probabilities);

public sealed record ModelDescription(string Name, int DenseFeatures, string[] Tables, string[] BagTables);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PredictRequest))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ModelDescription))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class ServingJson : JsonSerializerContext;

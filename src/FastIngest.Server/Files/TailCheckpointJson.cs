namespace FastIngest.Server.Files;

[System.Text.Json.Serialization.JsonSerializable(typeof(TailCheckpoint))]
internal sealed partial class TailCheckpointJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.Text;
using Grpc.Core;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A gRPC service written without code generation, shaped like generated code: string messages
/// with a UTF-8 marshaller, one unary and one server-streaming method. Grpc.AspNetCore binds the
/// overrides of this base's virtual methods by name.
/// </summary>
[BindServiceMethod(typeof(EchoGrpcBase), nameof(BindService))]
public abstract class EchoGrpcBase
{
    public static readonly Marshaller<string> Utf8 = Marshallers.Create(s => Encoding.UTF8.GetBytes(s), b => Encoding.UTF8.GetString(b));

    public static readonly Method<string, string> UnaryMethod = new(MethodType.Unary, "burrow.test.Echo", "Unary", Utf8, Utf8);

    public static readonly Method<string, string> StreamMethod = new(MethodType.ServerStreaming, "burrow.test.Echo", "Stream", Utf8, Utf8);

    public static void BindService(ServiceBinderBase binder, EchoGrpcBase? service)
    {
        binder.AddMethod(UnaryMethod, service is null ? null : service.Unary);
        binder.AddMethod(StreamMethod, service is null ? null : service.Stream);
    }

    public virtual Task<string> Unary(string request, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    public virtual Task Stream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));
}

public sealed class EchoGrpcService : EchoGrpcBase
{
    public override Task<string> Unary(string request, ServerCallContext context) => Task.FromResult($"echo: {request}");

    public override async Task Stream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context)
    {
        for (int i = 0; i < 5; i++)
        {
            await responseStream.WriteAsync($"{request} #{i}");
            await Task.Delay(50);
        }
    }
}

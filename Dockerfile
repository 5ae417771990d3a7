# FastIngest server image (used by docker-compose.yml).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props FastIngest.sln ./
COPY clickhouse/schema.sql clickhouse/schema.sql
# npm, for the build only: the dashboard's chart library (uPlot) is restored from the npm registry by
# FastIngest.Server.csproj (target DashboardClientLibs); the runtime image below has no Node.
RUN apt-get update && apt-get install -y --no-install-recommends npm && rm -rf /var/lib/apt/lists/*
COPY src/ src/
RUN dotnet publish src/FastIngest.Server -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
EXPOSE 8080/tcp 5514/udp 5514/tcp
ENTRYPOINT ["dotnet", "FastIngest.Server.dll"]

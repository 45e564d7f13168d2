# The server as a container image. Build the jar first: ./mvnw -DskipTests package
FROM eclipse-temurin:25-jre
RUN useradd --system --create-home --home-dir /var/lib/fleet-server fleet
COPY fleet-server/target/fleet-server.jar /opt/fleet-server/fleet-server.jar
COPY config/fleet-server.yml /etc/fleet-server/fleet-server.yml
USER fleet
WORKDIR /var/lib/fleet-server
EXPOSE 8220 5066
ENTRYPOINT ["java", "-jar", "/opt/fleet-server/fleet-server.jar", "-c", "/etc/fleet-server/fleet-server.yml"]

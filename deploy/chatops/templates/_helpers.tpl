{{/*
Names, labels and the checks that stop a dangerous render. No resources here.
*/}}

{{- define "chatops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "chatops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "chatops.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "chatops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "chatops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "chatops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chatops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "chatops.port" -}}
{{- (.Values.config.server | default dict).port | default 8080 }}
{{- end }}

{{/*
Refuse configurations that would leak a secret or lose data, with one sentence
saying what to do instead.
*/}}
{{- define "chatops.validate" -}}
{{- $secretish := "(^|[_-])(token|secret|password|passwd|apikey|api_key|credentials?|private_key)($|[_-])" -}}
{{- include "chatops.rejectSecretKeys" (dict "node" .Values.config "path" "config" "pattern" $secretish) -}}
{{- $storage := .Values.config.storage | default dict -}}
{{- if and $storage.url (regexMatch "://[^/@]*:[^/@]*@" (toString $storage.url)) -}}
{{- fail "config.storage.url contains a password: put the database URL in a Secret and set database.secretName / database.secretKey instead" -}}
{{- end -}}
{{- $limits := .Values.config.limits | default dict -}}
{{- if and $limits.redis_url (regexMatch "://[^/@]*:[^/@]*@" (toString $limits.redis_url)) -}}
{{- fail "config.limits.redis_url contains a password: put the Redis URL in the Secret's CHATOPS_REDIS_URL key instead" -}}
{{- end -}}
{{- $secretEnv := append (keys .Values.secrets.env) "CHATOPS_DATABASE_URL" -}}
{{- range .Values.extraEnv -}}
{{- if and (has .name $secretEnv) (hasKey . "value") -}}
{{- fail (printf "extraEnv sets %s as a plain value, which would put a secret in the manifest: store it in the Secret %s and list it under secrets.env" .name $.Values.secrets.name) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.service.enabled) -}}
{{- fail "ingress.enabled is true but service.enabled is false: the Ingress routes to the Service; enable both or neither" -}}
{{- end -}}
{{- if and (has "helm" .Values.rbac.profiles) (not .Values.rbac.helm.namespaces) -}}
{{- fail "rbac.profiles has helm but rbac.helm.namespaces is empty: name the namespaces whose releases the bot may manage (Helm's release Secrets are granted per namespace only)" -}}
{{- end -}}
{{- range .Values.rbac.impersonation.grants -}}
{{- $imp := $.Values.rbac.impersonation -}}
{{- range .users -}}{{- if not (has . $imp.users) -}}
{{- fail (printf "rbac.impersonation.grants names user %s, who is not in rbac.impersonation.users: the bot could not act as them" .) -}}
{{- end -}}{{- end -}}
{{- range .groups -}}{{- if not (has . $imp.groups) -}}
{{- fail (printf "rbac.impersonation.grants names group %s, which is not in rbac.impersonation.groups: the bot could not act as it" .) -}}
{{- end -}}{{- end -}}
{{- if and (eq .profile "helm") (not $.Values.rbac.helm.namespaces) -}}
{{- fail "rbac.impersonation.grants has the helm profile but rbac.helm.namespaces is empty: name the namespaces" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.database.sqlite (gt (int .Values.replicaCount) 1) -}}
{{- fail "database.sqlite is true but replicaCount is above 1: SQLite cannot be shared between pods; use PostgreSQL (database.sqlite: false) or one replica" -}}
{{- end -}}
{{- end }}

{{- define "chatops.rejectSecretKeys" -}}
{{- $pattern := .pattern -}}
{{- $path := .path -}}
{{- if kindIs "map" .node -}}
{{- range $key, $value := .node -}}
{{- if regexMatch $pattern (lower (toString $key)) -}}
{{- fail (printf "%s.%s looks like a secret, and secrets never go in config: put it in the Secret named by secrets.name and map it under secrets.env" $path $key) -}}
{{- end -}}
{{- include "chatops.rejectSecretKeys" (dict "node" $value "path" (printf "%s.%s" $path $key) "pattern" $pattern) -}}
{{- end -}}
{{- else if kindIs "slice" .node -}}
{{- range $index, $item := .node -}}
{{- include "chatops.rejectSecretKeys" (dict "node" $item "path" (printf "%s[%d]" $path $index) "pattern" $pattern) -}}
{{- end -}}
{{- end -}}
{{- end }}

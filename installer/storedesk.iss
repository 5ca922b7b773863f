; Inno Setup script for Windows branch PCs. Silent install:
;   storedesk-setup.exe /VERYSILENT /STORE=S014 /TERMINAL=T02 /PRINTER=10.0.14.50:9100
; writes %PROGRAMDATA%\StoreDesk\storedesk.toml with those values.
#define AppVersion "0.1.0"

[Setup]
AppName=StoreDesk
AppVersion={#AppVersion}
DefaultDirName={autopf}\StoreDesk
DisableProgramGroupPage=yes
OutputBaseFilename=storedesk-setup
PrivilegesRequired=admin

[Files]
Source: "..\dist\storedesk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{autoprograms}\StoreDesk"; Filename: "{app}\storedesk.exe"

[Code]
function Param(Name, Default: String): String;
begin
  Result := ExpandConstant('{param:' + Name + '|' + Default + '}');
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Dir, Toml: String;
begin
  if CurStep = ssPostInstall then
  begin
    Dir := ExpandConstant('{commonappdata}\StoreDesk');
    ForceDirectories(Dir);
    Toml := '[store]' + #13#10 + 'id = "' + Param('STORE', 'S001') + '"' + #13#10 +
            '[terminal]' + #13#10 + 'id = "' + Param('TERMINAL', 'T01') + '"' + #13#10;
    if Param('PRINTER', '') <> '' then
      Toml := Toml + '[printer]' + #13#10 + 'kind = "network"' + #13#10 +
              'address = "' + Param('PRINTER', '') + '"' + #13#10;
    if Param('CENTRAL', '') <> '' then
      Toml := Toml + '[central]' + #13#10 + 'url = "' + Param('CENTRAL', '') + '"' + #13#10;
    SaveStringToFile(Dir + '\storedesk.toml', Toml, False);
  end;
end;
